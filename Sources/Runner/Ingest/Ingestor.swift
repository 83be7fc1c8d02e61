/// The ingest path: decode a webhook, route its events, and store events and deliveries durably.
import Metrics

/// What happened to one webhook request.
public enum IngestResponse: Sendable, Hashable {
    /// Events taken in now (202): stored with their deliveries, or matching no rule (not stored);
    /// with duplicates among them if any.
    case accepted(IngestResult, deliveries: Int)
    /// Every event was already stored (200): a registry retrying.
    case duplicate(IngestResult)
    /// Well formed, but nothing Harbinger routes (200).
    case ignored(String)
}

/// Turns payloads into stored events and deliveries.
public struct Ingestor: Sendable {
    let store: any DeliveryStore
    let catalog: RulesCatalog
    let clock: any WallClock

    /// Creates the ingest path over a store and the current rules.
    public init(store: any DeliveryStore, catalog: RulesCatalog, clock: any WallClock = SystemClock()) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
    }

    /// Decodes and routes a payload for `source` (pure), ready for the store.
    public func prepare(_ payload: Payload, source: Source, rules: LoadedRules) throws(DecodeError) -> IngestBatch {
        let events = try SourceDecoders.decode(payload, source: source)
        let now = clock.now()
        let paused = catalog.paused
        var stored: [StoredEvent] = []
        var deliveries: [Delivery] = []
        stored.reserveCapacity(events.count)
        for event in events {
            stored.append(StoredEvent(event: event, payload: payload.body, contentType: payload.header("content-type"), receivedAt: now))
            for position in rules.ruleSet.route(event, paused: paused) {
                let rule = rules.file.rules[position]
                guard let first = rule.actions.first else { continue }
                var delivery = Delivery(id: DeliveryID.make(), eventID: event.id, rule: rule.name, step: 0,
                                        actionType: first.type, rulesVersion: rules.version, now: now)
                if let debounce = rule.debounce {
                    delivery.debounceKey = rule.name + "\u{1F}" + debounce.key.render(event)
                    delivery.nextAttemptAt = now + debounce.window.milliseconds
                }
                deliveries.append(delivery)
            }
        }
        return IngestBatch(events: stored, deliveries: deliveries)
    }

    /// Decodes, routes and stores one request; returns only once it is durable.
    public func ingest(_ payload: Payload, source: Source) async throws -> IngestResponse {
        // (A `catch where` over a typed throw here crashes the 6.3 compiler's ownership verifier.)
        let prepared: Result<IngestBatch, DecodeError> = Result { () throws(DecodeError) in
            try prepare(payload, source: source, rules: catalog.current)
        }
        let batch: IngestBatch
        switch prepared {
        case .success(let value): batch = value
        case .failure(let error) where error.isUnsupported: return .ignored(error.description)
        case .failure(let error): throw error
        }
        guard !batch.events.isEmpty else { return .ignored("the payload holds no routable events") }
        // Events no rule matched are not stored: nothing would ever run for them, so there is nothing
        // to lose, and the common case (a pull, a push of an unwatched repository) costs no fsync.
        let routed = Set(batch.deliveries.map(\.eventID))
        let unrouted = batch.events.filter { !routed.contains($0.event.id) }.map(\.event.id)
        let toStore = IngestBatch(events: batch.events.filter { routed.contains($0.event.id) }, deliveries: batch.deliveries)
        var result = IngestResult(accepted: [], duplicates: [])
        if !toStore.events.isEmpty {
            result = try await store.ingest([toStore])[0]
        }
        let accepted = Set(result.accepted).union(unrouted)
        for stored in batch.events where accepted.contains(stored.event.id) {
            Counter(label: "harbinger_events_received_total", dimensions: [("source", source.name), ("type", stored.event.type.rawValue)]).increment()
        }
        if result.accepted.isEmpty && unrouted.isEmpty { return .duplicate(result) }
        result.accepted += unrouted.filter { !result.accepted.contains($0) }
        return .accepted(result, deliveries: batch.deliveries.filter { accepted.contains($0.eventID) }.count)
    }
}

/// Random delivery ids: 32 hex digits.
public enum DeliveryID {
    /// A new id.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next()) + hex(generator.next())
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
