/// Mapping between the store's models and table rows, in one place.
import Foundation
import GRDB

extension Delivery {
    /// The columns of `deliveries`, in the order `insert` binds them.
    static let columns = "id, event_id, rule, step, action_type, rules_version, state, attempts, next_attempt_at, "
        + "lease_owner, lease_until, last_status, last_duration_ms, excerpt, chain_failed, created_at, updated_at, debounce_key"

    /// Reads a `deliveries` row.
    init(row: Row) throws {
        let stateName: String = try row.decode(forColumn: "state")
        guard let state = State(rawValue: stateName) else {
            throw DatabaseError(message: "unknown delivery state \"\(stateName)\"")
        }
        self.init(id: try row.decode(forColumn: "id"), eventID: try row.decode(forColumn: "event_id"),
                  rule: try row.decode(forColumn: "rule"), step: try row.decode(forColumn: "step"),
                  actionType: try row.decode(forColumn: "action_type"),
                  rulesVersion: try row.decode(forColumn: "rules_version"),
                  now: try row.decode(forColumn: "created_at"), chainFailed: try row.decode(forColumn: "chain_failed"))
        self.state = state
        attempts = try row.decode(forColumn: "attempts")
        nextAttemptAt = try row.decode(forColumn: "next_attempt_at")
        leaseOwner = try row.decode(forColumn: "lease_owner")
        leaseUntil = try row.decode(forColumn: "lease_until")
        lastStatus = try row.decode(forColumn: "last_status")
        lastDurationMillis = try row.decode(forColumn: "last_duration_ms")
        excerpt = try row.decode(forColumn: "excerpt")
        updatedAt = try row.decode(forColumn: "updated_at")
        debounceKey = try row.decode(forColumn: "debounce_key")
    }

    /// Inserts the delivery as it is.
    func insert(_ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO deliveries (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [id, eventID, rule, step, actionType, rulesVersion, state.rawValue, attempts, nextAttemptAt,
                              leaseOwner, leaseUntil, lastStatus, lastDurationMillis, excerpt, chainFailed, createdAt,
                              updatedAt, debounceKey])
    }

    /// For a debounced delivery: hands the newer event to a waiting delivery with the same key
    /// (keeping its due time, so a steady stream still delivers once per window); true when one took it.
    func collapseIntoWaiting(_ db: Database) throws -> Bool {
        guard let debounceKey else { return false }
        try db.cachedStatement(
            sql: """
                UPDATE deliveries SET event_id = ?, rules_version = ?, updated_at = ?
                WHERE debounce_key = ? AND state = 'pending' AND attempts = 0
                """
        ).execute(arguments: [eventID, rulesVersion, updatedAt, debounceKey])
        return db.changesCount > 0
    }
}

extension Attempt {
    /// Reads an `attempts` row.
    init(row: Row) throws {
        self.init(deliveryID: try row.decode(forColumn: "delivery_id"), number: try row.decode(forColumn: "number"),
                  startedAt: try row.decode(forColumn: "started_at"),
                  durationMillis: try row.decode(forColumn: "duration_ms"), status: try row.decode(forColumn: "status"),
                  verdict: try row.decode(forColumn: "verdict"), excerpt: try row.decode(forColumn: "excerpt"),
                  output: try row.decode(forColumn: "output"))
    }

    /// Inserts the attempt.
    func insert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status, verdict, excerpt, output)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [deliveryID, number, startedAt, durationMillis, status, verdict, excerpt, output])
    }
}

extension StoredEvent {
    /// Reads an `events` row, decoding its canonical JSON.
    init(row: Row) throws {
        let json: String = try row.decode(forColumn: "json")
        let payload: Data = try row.decode(forColumn: "payload")
        self.init(event: try Event(canonicalJSON: Array(json.utf8)), payload: Array(payload),
                  contentType: try row.decode(forColumn: "content_type"), receivedAt: try row.decode(forColumn: "received_at"),
                  canonicalJSON: json)
    }

    /// Inserts the event unless its id is stored already; true when it was inserted.
    func insertIfNew(_ db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                INSERT INTO events (id, source_name, kind, type, repository, tag, digest, json, payload,
                                    content_type, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """
        ).execute(arguments: [event.id, event.sourceName, event.source.rawValue, event.type.rawValue, event.repository,
                              event.tag, event.digest, json, Data(payload), contentType, receivedAt])
        return db.changesCount > 0
    }
}
