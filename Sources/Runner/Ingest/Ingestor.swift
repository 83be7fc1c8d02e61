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
    /// When set, deliveries due at once are claimed in the ingest transaction and handed to the workers.
    let handoff: DeliveryHandoff?

    /// Creates the ingest path over a store and the current rules; with `handoff`, it claims fresh
    /// deliveries for the workers as it stores them, within their free places.
    public init(store: any DeliveryStore, catalog: RulesCatalog, clock: any WallClock = SystemClock(),
                handoff: DeliveryHandoff? = nil) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.handoff = handoff
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
        switch try begin(payload, source: source, rules: catalog.current) {
        case .answered(let response): response
        case .toStore(let pending): try await commit(pending)
        }
    }

    /// Decodes and routes one request against `rules` without waiting for anything: the answer, when
    /// nothing needs storing (an event no rule matched, a payload with nothing to route), or the write still to make.
    /// A `toStore` result holds places reserved for its deliveries: pass it to `commit`, once.
    public func begin(_ payload: Payload, source: Source, rules: LoadedRules) throws(DecodeError) -> IngestStep {
        // (A `catch where` over a typed throw here crashes the 6.3 compiler's ownership verifier.)
        let prepared: Result<IngestBatch, DecodeError> = Result { () throws(DecodeError) in
            try prepare(payload, source: source, rules: rules)
        }
        let batch: IngestBatch
        switch prepared {
        case .success(let value): batch = value
        case .failure(let error) where error.isUnsupported: return .answered(.ignored(error.description))
        case .failure(let error): throw error
        }
        guard !batch.events.isEmpty else { return .answered(.ignored("the payload holds no routable events")) }
        // Events no rule matched are not stored: nothing would ever run for them, so there is nothing
        // to lose, and the common case (a pull, a push of an unwatched repository) costs no fsync.
        guard !batch.deliveries.isEmpty else {
            for stored in batch.events { countReceived(stored.event, source: source) }
            return .answered(.accepted(IngestResult(accepted: batch.events.map(\.event.id), duplicates: []), deliveries: 0))
        }
        let routed = Set(batch.deliveries.map(\.eventID))
        let unrouted = batch.events.filter { !routed.contains($0.event.id) }.map(\.event.id)
        // Serialized here, on the request's task, so the store's writer only copies it.
        let routedEvents = batch.events.filter { routed.contains($0.event.id) }.map { stored in
            var stored = stored
            stored.canonicalJSON = stored.json
            return stored
        }
        var toStore = IngestBatch(events: routedEvents, deliveries: batch.deliveries)
        let claimed = claim(&toStore.deliveries)
        return .toStore(PendingIngest(batch: batch, toStore: toStore, claimed: claimed, unrouted: unrouted, source: source))
    }

    /// Stores what `begin` left to store; returns only once it is durable.
    public func commit(_ pending: PendingIngest) async throws -> IngestResponse {
        let toStore = pending.toStore
        let result: IngestResult
        do {
            result = try await store.ingest([toStore])[0]
        } catch {
            handoff?.release(rules: pending.claimed.map { toStore.deliveries[$0].rule })
            throw error
        }
        handOver(pending.claimed, of: toStore, stored: result.accepted)
        if let handoff, pending.claimed.count < toStore.deliveries.count, !result.accepted.isEmpty {
            let handed = Set(pending.claimed)
            handoff.notePending(rules: toStore.deliveries.indices.filter { !handed.contains($0) }.map { toStore.deliveries[$0].rule })
        }
        let accepted = Set(result.accepted).union(pending.unrouted)
        for stored in pending.batch.events where accepted.contains(stored.event.id) { countReceived(stored.event, source: pending.source) }
        if result.accepted.isEmpty && pending.unrouted.isEmpty { return .duplicate(result) }
        var answer = result
        answer.accepted += pending.unrouted.filter { !result.accepted.contains($0) }
        return .accepted(answer, deliveries: pending.batch.deliveries.filter { accepted.contains($0.eventID) }.count)
    }
}

/// Where `Ingestor.begin` left a request.
public enum IngestStep: Sendable {
    /// Nothing to store: the answer.
    case answered(IngestResponse)
    /// Events and deliveries to store before answering.
    case toStore(PendingIngest)
}

/// A decoded and routed request whose events and deliveries are still to be stored (`Ingestor.commit`).
public struct PendingIngest: Sendable {
    /// Every event of the request, routed or not.
    let batch: IngestBatch
    /// The routed events and their deliveries, the ones due at once claimed for the hand-off.
    let toStore: IngestBatch
    /// Positions in `toStore.deliveries` claimed for the hand-off, each holding a reserved place.
    let claimed: [Int]
    /// Ids of the events no rule matched: accepted without being stored.
    let unrouted: [String]
    /// The source the request came to.
    let source: Source
}

extension Ingestor {
    /// Counts an accepted event in `harbinger_events_received_total`.
    private func countReceived(_ event: Event, source: Source) {
        MetricsCache.counter("harbinger_events_received_total", [("source", source.name), ("type", event.type.rawValue)]).increment()
    }

    /// Marks as running, under the hand-off's lease, the deliveries due now that fit in the workers'
    /// free places and their rules' shares of them; returns their positions. Each holds a reserved place
    /// until handed over or released.
    func claim(_ deliveries: inout [Delivery]) -> [Int] {
        guard let handoff else { return [] }
        let due = deliveries.indices.filter { deliveries[$0].debounceKey == nil }
        let claimed = handoff.reserve(rules: due.map { deliveries[$0].rule }).map { due[$0] }
        guard !claimed.isEmpty else { return [] }
        let leaseUntil = clock.now() + handoff.lease.milliseconds
        for index in claimed {
            deliveries[index].state = .running
            deliveries[index].leaseOwner = handoff.owner
            deliveries[index].leaseUntil = leaseUntil
        }
        return claimed
    }

    /// Hands the claimed deliveries that were stored (not those of duplicate events) to the workers,
    /// and gives back the places of the others.
    func handOver(_ claimed: [Int], of batch: IngestBatch, stored: [String]) {
        guard let handoff, !claimed.isEmpty else { return }
        let stored = Set(stored)
        var events: [String: StoredEvent] = [:]
        for event in batch.events where stored.contains(event.event.id) { events[event.event.id] = event }
        var ready: [DeliveryHandoff.Claimed] = []
        var notStored: [String] = []
        for index in claimed {
            let delivery = batch.deliveries[index]
            if let event = events[delivery.eventID] {
                ready.append(.init(delivery: delivery, event: event))
            } else {
                notStored.append(delivery.rule)
            }
        }
        handoff.release(rules: notStored)
        handoff.hand(ready)
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
