/// The canonical event as JSON, in DESIGN.md's field order.
extension Event {
    /// The canonical JSON object.
    public var json: JSON {
        var members: [(String, JSON)] = [
            ("id", .string(id)), ("source", .string(source.rawValue)), ("source_name", .string(sourceName)),
            ("type", .string(type.rawValue)), ("registry", registry.json), ("namespace", namespace.json),
            ("repository", .string(repository)), ("tag", tag.json), ("digest", digest.json),
            ("media_type", mediaType.json), ("artifact", artifact.map { .string($0.rawValue) } ?? .null),
            ("size", size.map { .number(Double($0)) } ?? .null), ("actor", actor.json),
            ("occurred_at", occurredAt.json), ("image", .string(image)),
        ]
        members.append(("scan", scan.map(\.json) ?? .null))
        members.append(("callback_url", callbackURL.json))
        return .object(members)
    }

    /// The values templates see: the canonical JSON fields as Swift values.
    public var templateContext: [String: any Sendable] {
        var context: [String: any Sendable] = [
            "id": id, "source": source.rawValue, "source_name": sourceName, "type": type.rawValue,
            "repository": repository, "image": image,
        ]
        context["registry"] = registry
        context["namespace"] = namespace
        context["tag"] = tag
        context["digest"] = digest
        context["media_type"] = mediaType
        context["artifact"] = artifact?.rawValue
        context["size"] = size
        context["actor"] = actor
        context["occurred_at"] = occurredAt
        context["callback_url"] = callbackURL
        if let scan {
            var counts: [String: any Sendable] = [:]
            for (level, count) in scan.counts { counts[level.name] = count }
            var fields: [String: any Sendable] = ["severity": scan.severity.name, "counts": counts]
            fields["fixable"] = scan.fixable
            fields["scanner"] = scan.scanner
            context["scan"] = fields
        }
        return context
    }
}

extension Scan {
    /// `{"severity", "counts", "fixable", "scanner"}`.
    public var json: JSON {
        let levels = Severity.allCases.reversed().filter { counts[$0] != nil }
        return .object([
            ("severity", .string(severity.name)),
            ("counts", .object(levels.map { ($0.name, .number(Double(counts[$0] ?? 0))) })),
            ("fixable", fixable.map { .number(Double($0)) } ?? .null),
            ("scanner", scanner.json),
        ])
    }
}

extension Optional where Wrapped == String {
    var json: JSON { map { .string($0) } ?? .null }
}
