/// How a CloudEvent's `type` and `data` become a canonical event when the data is not Harbor's.
extension CloudEventsDecoder {
    /// Canonical type names, Harbor's CloudEvents types, CDEvents `artifact.published`, then words in the
    /// type (`...scan...completed`, `...delete...`, `...push...`, `...pull...`); anything else is an error.
    static func eventType(_ name: String, path: String) throws(DecodeError) -> EventType {
        if let type = EventType(rawValue: name) { return type }
        if let type = HarborDecoder.cloudEventTypes[name] { return type }
        let lower = name.lowercased()
        if lower.hasPrefix("dev.cdevents.artifact.published.") { return .push }
        if lower.contains("scan") {
            if lower.contains("completed") { return .scanCompleted }
            if lower.contains("failed") { return .scanFailed }
            if lower.contains("stopped") { return .scanStopped }
        }
        let chart = lower.contains("chart")
        // Delete before push: `...image.push.deleted` is about a deletion.
        if lower.contains("delete") { return chart ? .chartDelete : .delete }
        if lower.contains("push") { return chart ? .chartPush : .push }
        if lower.contains("pull") { return chart ? .chartPull : .pull }
        throw DecodeError.unsupported(path: path, "unknown CloudEvents type '\(name)'")
    }

    /// The one event of generic data: `repository`/`tag`/`digest`, an `image` reference, or the `subject`
    /// attribute (an image reference or a `pkg:oci`/`pkg:docker` purl).
    static func genericEvent(_ event: CloudEvent, type: EventType, context: DecodeContext,
                             source: SourceKind) throws(DecodeError) -> Event {
        var fields: JSONCursor?
        if let data = event.data, case .object = data.value { fields = data }
        var reference = try fields?.string("image").nonEmpty.flatMap(ImageReference.init(parsing:))
        if let repository = try fields?.string("repository").nonEmpty.flatMap(ImageReference.init(parsing:)) {
            reference = ImageReference(merging: repository, into: reference)
        }
        if reference == nil, let subject = event.subject {
            reference = purlReference(subject) ?? ImageReference(parsing: subject)
        }
        guard let reference else {
            throw DecodeError(path: event.dataPath, "names no image: expected repository or image, or a subject attribute")
        }
        var text: [String: String] = [:]
        for key in ["mediaType", "media_type", "registry", "namespace", "tag", "digest", "actor"] {
            text[key] = try fields?.string(key).nonEmpty
        }
        let mediaType = text["mediaType"] ?? text["media_type"]
        return Event(
            id: event.id, source: source, sourceName: context.sourceName, type: type,
            registry: text["registry"] ?? reference.registry ?? context.registry,
            namespace: text["namespace"], repository: reference.repository, tag: text["tag"] ?? reference.tag,
            digest: text["digest"] ?? reference.digest, mediaType: mediaType,
            artifact: MediaTypes.artifactKind(mediaType: mediaType) ?? (type.isChart ? .chart : nil),
            size: try fields?.int("size"), actor: text["actor"] ?? event.operatorName, occurredAt: event.time)
    }

    /// `pkg:oci/NAME@DIGEST?repository_url=HOST%2FREPO&tag=TAG` (CDEvents subjects) or `pkg:docker/...`.
    static func purlReference(_ subject: String) -> ImageReference? {
        let scheme: String
        if subject.hasPrefix("pkg:oci/") { scheme = "pkg:oci/" } else if subject.hasPrefix("pkg:docker/") {
            scheme = "pkg:docker/"
        } else { return nil }
        var rest = Substring(subject.dropFirst(scheme.count))
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var qualifiers: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { qualifiers[String(parts[0])] = percentDecoded(String(parts[1])) }
            }
            rest = rest[..<question]
        }
        var version: String?
        if let at = rest.firstIndex(of: "@") {
            version = percentDecoded(String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        let name = percentDecoded(String(rest))
        guard var reference = qualifiers["repository_url"].flatMap(ImageReference.init(parsing:))
            ?? ImageReference(parsing: name) else { return nil }
        // Harbor writes repository_url as `host/repo:tag`; the `tag` qualifier and the version are authoritative.
        if let tag = qualifiers["tag"] { reference.tag = tag }
        if let version {
            if version.hasPrefix("sha256:") || version.hasPrefix("sha512:") { reference.digest = version } else { reference.tag = version }
        }
        return reference
    }
}

extension ImageReference {
    /// `repository` (which may carry a host, tag or digest) completed with what `image` adds.
    init(merging repository: ImageReference, into image: ImageReference?) {
        self = repository
        registry = repository.registry ?? image?.registry
        tag = repository.tag ?? image?.tag
        digest = repository.digest ?? image?.digest
    }
}
