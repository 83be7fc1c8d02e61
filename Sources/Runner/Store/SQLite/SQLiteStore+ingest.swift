/// The ingest path's writes: a request's events and first deliveries, in a group transaction.
import GRDB

extension IngestBatch {
    /// Stores the batch: new events, and the deliveries of the events stored now.
    func store(_ db: Database) throws -> IngestResult {
        var accepted: [String] = []
        var duplicates: [String] = []
        for stored in events {
            if try stored.insertIfNew(db) {
                accepted.append(stored.event.id)
            } else {
                duplicates.append(stored.event.id)
            }
        }
        // An event both stored now and repeated later in the batch keeps its deliveries.
        let skipped = Set(duplicates).subtracting(accepted)
        for delivery in deliveries where !skipped.contains(delivery.eventID) {
            if try delivery.collapseIntoWaiting(db) { continue }
            try delivery.insert(db)
        }
        return IngestResult(accepted: accepted, duplicates: duplicates)
    }
}

extension SQLiteStore {
    /// Stores the batches in the writer's next group transaction.
    public func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult] {
        guard !batches.isEmpty else { return [] }
        return try await writer.submit { db in try batches.map { try $0.store(db) } }
    }

    /// An event by id.
    public func event(id: String) async throws -> StoredEvent? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM events WHERE id = ?"), arguments: [id]).map(StoredEvent.init(row:))
        }
    }

    /// The events found among `ids`, read in chunks that stay below SQLite's limit on bound values.
    public func events(ids: [String]) async throws -> [String: StoredEvent] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in
            var found: [String: StoredEvent] = [:]
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id IN (\(marks))", arguments: StatementArguments(chunk))
                for row in rows {
                    let event = try StoredEvent(row: row)
                    found[event.event.id] = event
                }
                start += chunk.count
            }
            return found
        }
    }
}
