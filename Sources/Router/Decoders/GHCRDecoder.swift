/// GitHub Container Registry, through GitHub's `package` and `registry_package` webhook events.

/// Decodes GitHub package webhooks for container packages; other package types yield no events.
///
/// The event name comes from `X-GitHub-Event` (the body only has `action`); without the header
/// the package object's key (`package` or `registry_package`) decides. `ping` yields no events.
/// GitHub sends no webhook for container pulls or deletes, so only `published` and `updated`
/// (both a push) are known. The id is `X-GitHub-Delivery`.
public struct GHCRDecoder: SourceDecoder {
    /// `ghcr`.
    public static let kind = SourceKind.ghcr

    /// Creates the decoder.
    public init() {}

    /// One push event per tag of the published container version (one untagged event if none).
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        let name = payload.header("x-github-event")?.trimmingSpaces().lowercased()
        if name == "ping" { return [] }
        let root = try JSONCursor.parse(try Self.jsonBody(payload))
        let key: String
        switch name {
        case let event? where event == "package" || event == "registry_package": key = event
        case nil:
            if try root.optional("registry_package") != nil {
                key = "registry_package"
            } else if try root.optional("package") != nil {
                key = "package"
            } else {
                throw DecodeError(path: "", "not a GitHub package event: no X-GitHub-Event header and no 'package' or 'registry_package'")
            }
        case let other?:
            throw DecodeError.unsupported(path: "", "header X-GitHub-Event: unsupported GitHub event '\(other)'")
        }
        // Other package types are not ours to judge, whatever their action.
        let package = try root.required(key)
        guard try Self.isContainer(package) else { return [] }
        let action = try root.requiredString("action")
        guard action == "published" || action == "updated" else {
            throw DecodeError.unsupported(path: "action", "unsupported GitHub \(key) action '\(action)'")
        }
        return try events(package, root: root, id: payload.header("x-github-delivery") ?? "", context: context)
    }

    private func events(_ package: JSONCursor, root: JSONCursor, id: String, context: DecodeContext) throws(DecodeError) -> [Event] {
        let version = try package.required("package_version")
        let metadata = try version.optional("container_metadata")
        let manifest = try metadata?.optional("manifest")
        let packageURL = try version.string("package_url").flatMap { $0.isEmpty ? nil : $0 }
        let repository = try Self.repository(package, packageURL: packageURL)
        let mediaType = try manifest?.string("media_type").flatMap { $0.isEmpty ? nil : $0 }
        let base = Event(
            id: id, source: .ghcr, sourceName: context.sourceName, type: .push,
            registry: packageURL.flatMap(Self.host) ?? "ghcr.io", repository: repository,
            digest: try Self.digest(version, metadata: metadata, manifest: manifest), mediaType: mediaType,
            artifact: MediaTypes.artifactKind(mediaType: mediaType), size: try manifest?.int("size"),
            actor: try root.optional("sender")?.string("login"), occurredAt: try Self.occurredAt(package, version: version))
        let tags = try Self.tags(version, metadata: metadata)
        guard !tags.isEmpty else { return [base] }
        return tags.enumerated().map { index, tag in
            var event = base
            event.tag = tag
            if tags.count > 1, !id.isEmpty { event.id = "\(id)-\(index)" }
            return event
        }
    }

    /// True for container packages: `package_type` (or, without it, `ecosystem`) and `registry.type`.
    static func isContainer(_ package: JSONCursor) throws(DecodeError) -> Bool {
        var type = try package.string("package_type")
        if type == nil { type = try package.string("ecosystem") }
        guard type?.lowercased() == "container" else { return false }
        let registryType = try package.optional("registry")?.string("type")
        return registryType.map { $0.lowercased() == "container" } ?? true
    }

    /// The image path, lower-cased as GHCR requires: `package_url` without host and tag, else `owner/name`.
    ///
    /// `package.namespace` is the linked source repository (`Codertocat/hello-world`), not the owner.
    static func repository(_ package: JSONCursor, packageURL: String?) throws(DecodeError) -> String {
        if let packageURL, let slash = packageURL.firstIndex(of: "/") {
            var path = Substring(packageURL[packageURL.index(after: slash)...])
            if let at = path.firstIndex(of: "@") { path = path[..<at] }
            if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") { path = path[..<colon] }
            if path.contains("/") { return path.lowercased() }
        }
        let name = try package.requiredString("name")
        let owner = try package.required("owner").requiredString("login")
        return "\(owner)/\(name)".lowercased()
    }

    private static func host(_ packageURL: String) -> String? {
        guard let slash = packageURL.firstIndex(of: "/"), slash != packageURL.startIndex else { return nil }
        return String(packageURL[..<slash]).lowercased()
    }

    /// `tag.name` (empty means untagged) and any `tags` list, without repeats.
    private static func tags(_ version: JSONCursor, metadata: JSONCursor?) throws(DecodeError) -> [String] {
        var names: [String] = []
        if let name = try metadata?.optional("tag")?.string("name"), !name.isEmpty { names.append(name) }
        var lists: [JSONCursor] = []
        if let list = try metadata?.optional("tags") { lists.append(list) }
        // The REST API's shape, `metadata.container.tags`; webhooks usually send `metadata: []`.
        if let rest = try version.optional("metadata"), case .object = rest.value,
           let list = try rest.optional("container")?.optional("tags") {
            lists.append(list)
        }
        for list in lists {
            for item in try list.array() {
                let name = try item.string()
                if !name.isEmpty, !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    private static func digest(_ version: JSONCursor, metadata: JSONCursor?, manifest: JSONCursor?) throws(DecodeError) -> String? {
        let candidates = [
            try metadata?.optional("tag")?.string("digest"), try manifest?.string("digest"), try version.string("version"),
        ]
        return candidates.compactMap { $0 }.first { $0.hasPrefix("sha256:") || $0.hasPrefix("sha512:") }
    }

    /// The version's `updated_at` when real (GitHub sends `0001-01-01T00:00:00Z`), else the package's.
    private static func occurredAt(_ package: JSONCursor, version: JSONCursor) throws(DecodeError) -> String? {
        let times = [try version.string("updated_at"), try package.string("updated_at")]
        return times.compactMap { $0 }.first { !$0.isEmpty && !$0.hasPrefix("0001-") }
    }

    /// The JSON text: the body, or its `payload` field when the hook posts form-encoded data.
    static func jsonBody(_ payload: Payload) throws(DecodeError) -> [UInt8] {
        guard payload.contentType == "application/x-www-form-urlencoded" else { return payload.body }
        for field in payload.body.split(separator: UInt8(ascii: "&")) where field.starts(with: Array("payload=".utf8)) {
            guard let bytes = percentDecoded(field.dropFirst("payload=".utf8.count)) else {
                throw DecodeError(path: "", "form field 'payload' is not valid percent-encoding")
            }
            return bytes
        }
        throw DecodeError(path: "", "form-encoded GitHub delivery without a 'payload' field")
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                      let high = HexDigit.value(bytes[index + 1]), let low = HexDigit.value(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

}
