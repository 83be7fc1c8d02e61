/// Group commit: ingest requests that arrive while a transaction is being written share the next one.
import GRDB

/// Coalesces concurrent ingest requests so that one transaction, and one fsync, serves many callers.
actor IngestWriter {
    /// One caller's request, waiting for the commit that includes it.
    private struct Request {
        let batches: [IngestBatch]
        let continuation: CheckedContinuation<[IngestResult], any Error>
    }

    private let pool: DatabasePool
    /// Requests not yet taken by a transaction.
    private var waiting: [Request] = []
    /// True while a drain loop is running.
    private var isWriting = false
    /// Transactions committed so far, each serving one group of requests (for tests and metrics).
    private(set) var committedGroups = 0

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Stores one request's batches in the next group transaction; returns once that transaction committed.
    func submit(_ batches: [IngestBatch]) async throws -> [IngestResult] {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Request(batches: batches, continuation: continuation))
            guard !isWriting else { return }
            isWriting = true
            // The loop runs in its own task so that cancelling one caller never aborts a group's commit.
            Task { await self.drain() }
        }
    }

    /// Writes groups until no request waits; requests arriving during a write form the next group.
    private func drain() async {
        while !waiting.isEmpty {
            let group = waiting
            waiting = []
            let outcome: Result<[Result<[IngestResult], any Error>], any Error>
            do {
                let requests = group.map(\.batches)
                outcome = .success(try await pool.write { db in try Self.store(requests, db) })
                committedGroups += 1
            } catch {
                outcome = .failure(error)
            }
            for (index, request) in group.enumerated() {
                switch outcome {
                case .success(let results): request.continuation.resume(with: results[index])
                case .failure(let error): request.continuation.resume(throwing: error)
                }
            }
        }
        isWriting = false
    }

    /// Stores every request of a group, each in its own savepoint: one request that fails (a clashing
    /// delivery id) fails alone, and the others still commit.
    private static func store(_ requests: [[IngestBatch]], _ db: Database) throws -> [Result<[IngestResult], any Error>] {
        var results: [Result<[IngestResult], any Error>] = []
        for batches in requests {
            var stored: [IngestResult] = []
            do {
                try db.inSavepoint {
                    stored = try batches.map { try store($0, db) }
                    return .commit
                }
                results.append(.success(stored))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Stores one batch: new events, and the deliveries of the events stored now.
    private static func store(_ batch: IngestBatch, _ db: Database) throws -> IngestResult {
        var accepted: [String] = []
        var duplicates: [String] = []
        for stored in batch.events {
            if try stored.insertIfNew(db) {
                accepted.append(stored.event.id)
            } else {
                duplicates.append(stored.event.id)
            }
        }
        // An event both stored now and repeated later in the batch keeps its deliveries.
        let skipped = Set(duplicates).subtracting(accepted)
        for delivery in batch.deliveries where !skipped.contains(delivery.eventID) {
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
        return try await ingestWriter.submit(batches)
    }

    /// An event by id.
    public func event(id: String) async throws -> StoredEvent? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM events WHERE id = ?", arguments: [id]).map(StoredEvent.init(row:))
        }
    }
}
