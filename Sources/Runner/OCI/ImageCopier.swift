/// Copies an image, digest for digest, from one registry to another over the OCI distribution API.
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Copies a manifest (an index with every child, or an image with its config and layers) and then
/// tags it. Children and blobs go first and manifests are pushed by digest, so a reader never sees a
/// tag whose content is missing; the destination's digest is checked against the source's.
public struct ImageCopier: Sendable {
    /// What to copy where.
    public struct Request: Sendable {
        /// Where the image is.
        public var source: RegistryRepository
        /// Its tag or digest there.
        public var reference: String
        /// Where it goes.
        public var destination: RegistryRepository
        /// The destination tag; nil copies by digest only.
        public var tag: String?
        /// Keep only these children of an index (`os/arch[/variant]`); empty keeps all.
        public var platforms: [String] = []
        /// Also copy the artifacts that refer to the image (signatures, SBOMs).
        public var referrers = false

        /// Creates a request.
        public init(source: RegistryRepository, reference: String, destination: RegistryRepository, tag: String?,
                    platforms: [String] = [], referrers: Bool = false) {
            self.source = source
            self.reference = reference
            self.destination = destination
            self.tag = tag
            self.platforms = platforms
            self.referrers = referrers
        }
    }

    /// What a copy did.
    public struct Report: Sendable, Hashable {
        /// The digest of the top manifest at the destination (the source's, unless platforms were filtered).
        public var digest = ""
        /// Manifests pushed (children, referrers and the top one).
        public var manifests = 0
        /// Blobs streamed from the source.
        public var blobsCopied = 0
        /// Blobs the destination already had.
        public var blobsPresent = 0
        /// Blobs mounted from another repository of the same registry.
        public var blobsMounted = 0
        /// Bytes streamed.
        public var bytesCopied: Int64 = 0
        /// Referrer artifacts copied.
        public var referrers = 0
    }

    let source: RegistryClient
    let destination: RegistryClient
    /// Blobs in flight at once, per copy.
    var blobParallelism = 4

    /// A copier with a client for each side (each with that side's credentials).
    public init(source: RegistryClient, destination: RegistryClient, blobParallelism: Int = 4) {
        self.source = source
        self.destination = destination
        self.blobParallelism = blobParallelism
    }

    /// Copies `request`, giving up at `deadline`.
    public func copy(_ request: Request, deadline: NIODeadline) async throws(OCIError) -> Report {
        let run = CopyRun(request: request)
        var top = try await fetchManifest(request.source, request.reference, deadline: deadline)
        if !request.platforms.isEmpty { top = try top.keeping(platforms: request.platforms) }
        try await copyContent(of: top, run: run, deadline: deadline)
        try await push(top, to: request.destination, reference: top.digest, run: run, deadline: deadline)
        if let tag = request.tag {
            try await push(top, to: request.destination, reference: tag, run: run, deadline: deadline)
        }
        if request.referrers {
            try await copyReferrers(of: top.digest, run: run, deadline: deadline)
        }
        var report = run.report
        report.digest = top.digest
        return report
    }

    /// Everything `manifest` points to, children before parents.
    func copyContent(of manifest: Manifest, run: CopyRun, deadline: NIODeadline) async throws(OCIError) {
        if manifest.isIndex {
            for child in manifest.children {
                let fetched = try await fetchManifest(run.request.source, child.digest, deadline: deadline)
                try await copyContent(of: fetched, run: run, deadline: deadline)
                try await push(fetched, to: run.request.destination, reference: fetched.digest, run: run, deadline: deadline)
            }
        } else {
            try await copyBlobs(manifest.blobs.filter { !$0.isForeign }, run: run, deadline: deadline)
        }
    }

    /// GET a manifest by tag or digest.
    func fetchManifest(_ repository: RegistryRepository, _ reference: String,
                       deadline: NIODeadline) async throws(OCIError) -> Manifest {
        let url = "\(repository.apiBase)/manifests/\(reference)"
        let response = try await source.send(.GET, url, on: repository, access: .pull(repository),
                                             headers: [("Accept", Manifest.accept)], deadline: deadline)
        let status = Int(response.status.code)
        guard status == 200 else {
            let body = await RegistryClient.excerpt(response)
            if status == 404 {
                throw OCIError("\(repository):\(reference) does not exist at the source (HTTP 404)", notFound: true)
            }
            throw OCIError.status(status, "GET \(repository) manifest \(reference)", body: body)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw OCIError("cannot read the manifest \(repository):\(reference): \(error)", retryable: true)
        }
        let expected = reference.contains(":") ? reference : nil
        return try Manifest(bytes: Array(bytes.readableBytesView), contentType: response.headers.first(name: "Content-Type"),
                            expectedDigest: expected)
    }

    /// PUT a manifest under a digest or a tag; the registry must agree on the digest.
    func push(_ manifest: Manifest, to repository: RegistryRepository, reference: String, run: CopyRun,
              deadline: NIODeadline) async throws(OCIError) {
        let url = "\(repository.apiBase)/manifests/\(reference)"
        let response = try await destination.send(.PUT, url, on: repository, access: .push(repository),
                                                  headers: [("Content-Type", manifest.mediaType)],
                                                  body: .bytes(manifest.bytes), deadline: deadline)
        let status = Int(response.status.code)
        let body = await RegistryClient.excerpt(response)
        guard status == 201 || status == 200 else {
            let error = OCIError.status(status, "PUT \(repository) manifest \(reference)", body: body)
            // A blob another delivery is uploading to the same repository at this moment can be
            // reported unknown; the next attempt checks the blobs again, so this one is worth retrying.
            if status == 400, body.contains("BLOB_UNKNOWN") { throw OCIError(error.message, retryable: true) }
            throw error
        }
        if let answered = response.headers.first(name: "Docker-Content-Digest"), answered != manifest.digest {
            throw OCIError("\(repository) stored the manifest as \(answered), not \(manifest.digest)")
        }
        if reference.contains(":") { run.count { $0.manifests += 1 } }
    }
}

extension ImageCopier.Report {
    /// `copied sha256:… to host/repo:tag: 1 manifest, 2 blobs (5.2 MB) copied, 1 already there, 0 mounted`.
    public func summary(target: String) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        var text = "copied \(digest) to \(target): \(count(manifests, "manifest")), \(count(blobsCopied, "blob")) "
            + "(\(Self.byteText(bytesCopied))) copied, \(blobsPresent) already there, \(blobsMounted) mounted"
        if referrers > 0 { text += ", \(count(referrers, "referrer"))" }
        return text
    }

    /// `532 B`, `5.2 MB`.
    static func byteText(_ bytes: Int64) -> String {
        if bytes < 1_000_000 { return "\(bytes) B" }
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

/// The state of one copy: what it did and which blobs are done, shared by its parallel blob tasks.
final class CopyRun: Sendable {
    let request: ImageCopier.Request
    private let state = Mutex<(report: ImageCopier.Report, blobs: Set<String>)>((ImageCopier.Report(), []))

    init(request: ImageCopier.Request) {
        self.request = request
    }

    /// Updates the report.
    func count(_ update: (inout ImageCopier.Report) -> Void) {
        state.withLock { update(&$0.report) }
    }

    /// True the first time a blob is claimed in this copy (children often share config and layers).
    func claim(_ digest: String) -> Bool {
        state.withLock { $0.blobs.insert(digest).inserted }
    }

    var report: ImageCopier.Report { state.withLock { $0.report } }
}
