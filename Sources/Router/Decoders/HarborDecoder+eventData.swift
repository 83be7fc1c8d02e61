/// Harbor's `event_data` (CloudEvents: `data`), shared by every 2.x format: resources, replication, retention.
extension HarborDecoder {
    /// The events of one `event_data` object; several from one sender id get `<id>-<index>` ids.
    static func events(data: JSONCursor, envelope: HarborEnvelope, source: SourceKind,
                       context: DecodeContext) throws(DecodeError) -> [Event] {
        var events: [Event]
        switch envelope.type {
        case .replication: events = try replicationEvents(data, envelope: envelope, source: source, context: context)
        case .tagRetention: events = try retentionEvents(data, envelope: envelope, source: source, context: context)
        default: events = try resourceEvents(data, envelope: envelope, source: source, context: context)
        }
        if events.count > 1 && !envelope.id.isEmpty {
            for index in events.indices { events[index].id = "\(envelope.id)-\(index)" }
        }
        return events
    }

    /// One event per `resources[]` entry, in the project's repository `repository.repo_full_name`.
    static func resourceEvents(_ data: JSONCursor, envelope: HarborEnvelope, source: SourceKind,
                               context: DecodeContext) throws(DecodeError) -> [Event] {
        let repositoryCursor = try data.required("repository")
        let namespace = try repositoryCursor.string("namespace").nonEmpty
        var repository = try repositoryCursor.string("repo_full_name").nonEmpty
        if repository == nil, let namespace, let name = try repositoryCursor.string("name").nonEmpty {
            repository = "\(namespace)/\(name)"
        }
        guard let repository else { throw DecodeError(path: "\(repositoryCursor.path).repo_full_name", "is missing") }
        var events: [Event] = []
        for resource in try data.required("resources").array() {
            let digest = try resource.string("digest").nonEmpty
            var tag = try resource.string("tag").nonEmpty
            // A pull or push by digest repeats the digest as the tag.
            if let value = tag, value == digest || value.hasPrefix("sha256:") { tag = nil }
            let url = try resource.string("resource_url").nonEmpty
            events.append(Event(
                id: envelope.id, source: source, sourceName: context.sourceName, type: envelope.type,
                registry: url.flatMap(host(resourceURL:)) ?? context.registry, namespace: namespace,
                repository: repository, tag: tag, digest: digest, artifact: envelope.type.isChart ? .chart : nil,
                actor: envelope.actor, occurredAt: envelope.occurredAt,
                scan: try scan(overview: try resource.optional("scan_overview"))))
        }
        return events
    }

    /// The host of a `resource_url` (`harbor.example.com/shop/web:1.4.2`): everything before the first `/`.
    static func host(resourceURL: String) -> String? {
        var text = Substring(resourceURL)
        if let scheme = text.firstRange(of: "://") { text = text[scheme.upperBound...] }
        guard let slash = text.firstIndex(of: "/"), slash != text.startIndex else { return nil }
        return String(text[..<slash])
    }

    /// One event per `replication.successful_artifact[]`, named where it now is: the destination's
    /// endpoint host and namespace (for a pull-based policy that is this Harbor, `harbor_hostname`).
    /// Failed artifacts are not events: the canonical event has no status to tell them apart.
    static func replicationEvents(_ data: JSONCursor, envelope: HarborEnvelope, source: SourceKind,
                                  context: DecodeContext) throws(DecodeError) -> [Event] {
        let replication = try data.required("replication")
        let destination = try replication.optional("dest_resource")
        let endpointHost = try destination?.string("endpoint").nonEmpty.flatMap(DistributionDecoder.host(url:))
        let hostname = try replication.string("harbor_hostname").nonEmpty
        let registry = endpointHost ?? hostname ?? context.registry
        let namespace = try destination?.string("namespace").nonEmpty
        let artifactKind: ArtifactKind? = try replication.string("artifact_type") == "chart" ? .chart : nil
        var events: [Event] = []
        for artifact in try replication.optional("successful_artifact")?.array() ?? [] {
            let nameTag = try artifact.required("name_tag")
            let reference = try nameTagReference(try nameTag.string(), namespace: namespace, path: nameTag.path)
            events.append(Event(
                id: envelope.id, source: source, sourceName: context.sourceName, type: envelope.type,
                registry: registry, namespace: namespace, repository: reference.repository, tag: reference.tag,
                digest: reference.digest, artifact: artifactKind, actor: envelope.actor, occurredAt: envelope.occurredAt))
        }
        return events
    }

    /// One event per `retention.deleted_artifact[]` (`repo:tag`), in project `project_name`.
    static func retentionEvents(_ data: JSONCursor, envelope: HarborEnvelope, source: SourceKind,
                                context: DecodeContext) throws(DecodeError) -> [Event] {
        let retention = try data.required("retention")
        let registry = try retention.string("harbor_hostname").nonEmpty ?? context.registry
        let project = try retention.string("project_name").nonEmpty
        var events: [Event] = []
        for artifact in try retention.optional("deleted_artifact")?.array() ?? [] {
            let nameTag = try artifact.required("name_tag")
            let reference = try nameTagReference(try nameTag.string(), namespace: project, path: nameTag.path)
            events.append(Event(
                id: envelope.id, source: source, sourceName: context.sourceName, type: envelope.type,
                registry: registry, namespace: project, repository: reference.repository, tag: reference.tag,
                digest: reference.digest, actor: envelope.actor, occurredAt: envelope.occurredAt))
        }
        return events
    }

    /// A `name_tag` (`alpine:3.8`, `alpine [1 item(s) in total]`) as a reference inside `namespace`.
    static func nameTagReference(_ text: String, namespace: String?, path: String) throws(DecodeError) -> ImageReference {
        let name = text.firstRange(of: " [").map { String(text[..<$0.lowerBound]) } ?? text
        guard var reference = ImageReference(parsing: name.trimmingSpaces()) else {
            throw DecodeError(path: path, "expected a repository name, found '\(text)'")
        }
        if let host = reference.registry { reference.repository = "\(host)/\(reference.repository)" }
        if let namespace, !reference.repository.hasPrefix("\(namespace)/") {
            reference.repository = "\(namespace)/\(reference.repository)"
        }
        return reference
    }
}
