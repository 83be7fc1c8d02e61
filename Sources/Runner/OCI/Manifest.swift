/// Image manifests and indexes as the copier needs them: their bytes, digest and what they point to.
import Crypto
import Foundation
import Router

/// A content descriptor: what a manifest says about a blob or a child manifest.
struct Descriptor: Sendable, Hashable {
    var mediaType: String?
    var digest: String
    var size: Int64?
    /// `os/arch` or `os/arch/variant`, for an index's children.
    var platform: String?
    /// Blobs that registries must not redistribute (Windows base layers with `urls`) are not copied.
    var isForeign = false
}

/// One manifest as fetched: exact bytes (the digest is over them), and its references.
struct Manifest: Sendable {
    static let imageTypes = [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
    static let indexTypes = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]
    /// The `Accept` header of every manifest GET.
    static let accept = (indexTypes + imageTypes).joined(separator: ", ")

    var bytes: [UInt8]
    var mediaType: String
    var digest: String
    /// An index's (or manifest list's) children.
    var children: [Descriptor] = []
    /// An image's config and layers.
    var blobs: [Descriptor] = []

    var isIndex: Bool { Self.indexTypes.contains(mediaType) }

    /// Parses `bytes`, served with `contentType`; the digest is computed with the algorithm of `expected`.
    init(bytes: [UInt8], contentType: String?, expectedDigest expected: String?) throws(OCIError) {
        self.bytes = bytes
        let algorithm = expected.map { String($0.prefix { $0 != ":" }) } ?? "sha256"
        guard let digest = Self.digest(bytes, algorithm: algorithm) else {
            throw OCIError("unsupported digest algorithm '\(algorithm)'")
        }
        self.digest = digest
        if let expected, expected != digest {
            throw OCIError("the registry served a manifest whose digest is \(digest), not the \(expected) asked for", retryable: true)
        }
        let root: JSONCursor
        do {
            root = try JSONCursor.parse(bytes)
            let declared = try root.string("mediaType")
            let served = contentType.map { String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces) }
            guard let type = declared ?? served, Self.imageTypes.contains(type) || Self.indexTypes.contains(type) else {
                let shown = declared ?? served ?? "none"
                throw OCIError(shown.contains("v1+prettyjws") || shown.contains("manifest.v1+json")
                               ? "Docker schema 1 manifests are not supported (\(shown)); push the image again with a current client"
                               : "unsupported manifest media type '\(shown)'")
            }
            mediaType = type
            if Self.indexTypes.contains(type) {
                children = try (root.optional("manifests")?.array() ?? []).map(Self.descriptor)
            } else {
                blobs = try [root.required("config")].map(Self.descriptor) + (root.optional("layers")?.array() ?? []).map(Self.descriptor)
            }
        } catch let error as DecodeError {
            throw OCIError("the manifest \(digest) is not valid: \(error)")
        } catch let error as OCIError {
            throw error
        } catch {
            throw OCIError("the manifest \(digest) is not valid: \(error)")
        }
    }

    private static func descriptor(_ cursor: JSONCursor) throws(DecodeError) -> Descriptor {
        var descriptor = Descriptor(mediaType: try cursor.string("mediaType"), digest: try cursor.requiredString("digest"),
                                    size: try cursor.int("size"))
        if let platform = try cursor.optional("platform") {
            let parts = [try platform.string("os"), try platform.string("architecture"), try platform.string("variant")]
            descriptor.platform = parts.compactMap { $0 }.joined(separator: "/")
        }
        let urls = try cursor.optional("urls")?.array() ?? []
        let type = descriptor.mediaType ?? ""
        descriptor.isForeign = !urls.isEmpty && (type.contains("foreign") || type.contains("nondistributable"))
        return descriptor
    }

    /// `sha256:<hex>` (or sha512) of `bytes`; nil for another algorithm.
    static func digest(_ bytes: [UInt8], algorithm: String = "sha256") -> String? {
        switch algorithm {
        case "sha256": "sha256:" + SHA256.hash(data: bytes).hex
        case "sha512": "sha512:" + SHA512.hash(data: bytes).hex
        default: nil
        }
    }

    /// This index with only the children for `platforms` (`os/arch` also matches any variant).
    /// The result is a new document, so its digest differs from the source's.
    func keeping(platforms: [String]) throws(OCIError) -> Manifest {
        guard isIndex, !platforms.isEmpty else { return self }
        guard var object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let entries = object["manifests"] as? [[String: Any]] else {
            throw OCIError("cannot filter the index \(digest) by platform")
        }
        let kept = zip(entries, children).filter { _, child in
            guard let platform = child.platform else { return false }
            return platforms.contains { platform == $0 || platform.hasPrefix($0 + "/") }
        }
        guard !kept.isEmpty else {
            let available = children.compactMap(\.platform).joined(separator: ", ")
            throw OCIError("the index \(digest) has none of the platforms \(platforms.joined(separator: ", ")) (it has \(available))")
        }
        object["manifests"] = kept.map(\.0)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw OCIError("cannot write the filtered index of \(digest)")
        }
        var filtered = try Manifest(bytes: Array(data), contentType: mediaType, expectedDigest: nil)
        filtered.mediaType = mediaType
        return filtered
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
