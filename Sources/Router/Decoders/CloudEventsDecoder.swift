/// CloudEvents 1.0 over HTTP: structured, batch and binary content modes.

/// Decodes CloudEvents: the `type` attribute gives the canonical type, `data` (or `subject`) the image.
/// Harbor-shaped data (`resources`, `replication`, `retention`, or CDEvents `customData`) is read as Harbor's.
public struct CloudEventsDecoder: SourceDecoder {
    /// Any CloudEvents sender.
    public static let kind: SourceKind = .cloudevents

    /// Creates the decoder.
    public init() {}

    /// Binary mode when a `ce-specversion` header is present; otherwise the body is one structured event,
    /// or a batch when it is an array.
    public func decode(_ payload: Payload, context: DecodeContext) throws(DecodeError) -> [Event] {
        if payload.header("ce-specversion") != nil {
            return try Self.events(of: try Self.binaryEvent(payload), context: context, source: Self.kind)
        }
        let root = try JSONCursor.parse(payload.body)
        guard case .array = root.value else {
            return try Self.events(structured: root, context: context, source: Self.kind)
        }
        var events: [Event] = []
        for item in try root.array() {
            events += try Self.events(structured: item, context: context, source: Self.kind)
        }
        return events
    }

    /// The events of one structured-mode CloudEvent (a JSON object with the attributes and `data`).
    static func events(structured event: JSONCursor, context: DecodeContext,
                       source: SourceKind) throws(DecodeError) -> [Event] {
        _ = try event.required("specversion").string()
        let typeCursor = try event.required("type")
        let attributes = CloudEvent(
            id: try event.string("id") ?? "", type: try typeCursor.string(), typePath: typeCursor.path,
            subject: try event.string("subject").nonEmpty, time: try event.string("time").nonEmpty,
            operatorName: try event.string("operator").nonEmpty, data: try event.optional("data"),
            dataPath: event.path.isEmpty ? "data" : "\(event.path).data")
        return try events(of: attributes, context: context, source: source)
    }

    /// The events of one CloudEvent, whatever its mode.
    static func events(of event: CloudEvent, context: DecodeContext, source: SourceKind) throws(DecodeError) -> [Event] {
        let type = try eventType(event.type, path: event.typePath)
        var harborData = event.data
        if event.type.hasPrefix("dev.cdevents."), let data = event.data, case .object = data.value {
            harborData = try data.optional("customData")
        }
        if let harborData, isHarborShaped(harborData) {
            let envelope = HarborEnvelope(id: event.id, type: type, actor: event.operatorName, occurredAt: event.time)
            return try HarborDecoder.events(data: harborData, envelope: envelope, source: source, context: context)
        }
        return [try genericEvent(event, type: type, context: context, source: source)]
    }

    /// True for Harbor's `event_data` structure.
    static func isHarborShaped(_ data: JSONCursor) -> Bool {
        guard case .object(let members) = data.value else { return false }
        return members["resources"] != nil || members["replication"] != nil || members["retention"] != nil
    }
}

/// One CloudEvent's attributes, from a JSON object or from `ce-*` headers.
struct CloudEvent: Sendable {
    /// `id`; empty when absent.
    var id: String
    /// `type`.
    var type: String
    /// Where `type` was read, for errors (`type`, `[1].type`).
    var typePath: String
    /// `subject`.
    var subject: String?
    /// `time`.
    var time: String?
    /// Harbor's `operator` extension.
    var operatorName: String?
    /// `data` as JSON, nil when absent or not JSON.
    var data: JSONCursor?
    /// Where `data` is, for errors.
    var dataPath: String
}
