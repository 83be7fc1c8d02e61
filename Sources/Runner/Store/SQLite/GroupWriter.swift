/// Group commit: writes that arrive while a transaction is being written share the next one.
import GRDB

/// Coalesces concurrent writes (ingests, claims, attempt records) so that one transaction, and one
/// fsync, serves many callers. Each write runs in its own savepoint: one that fails (a clashing
/// delivery id) fails alone and the others still commit. A caller returns only once the transaction
/// holding its write committed.
actor GroupWriter {
    /// One caller's write, waiting for the transaction that includes it.
    private struct Job: Sendable {
        /// Runs the write in its savepoint; returns how to answer the caller once the transaction committed.
        let perform: @Sendable (Database) -> @Sendable () -> Void
        /// Answers the caller when the transaction failed as a whole.
        let fail: @Sendable (any Error) -> Void
    }

    private let pool: DatabasePool
    /// Writes not yet taken by a transaction.
    private var waiting: [Job] = []
    /// True while a drain loop is running.
    private var isWriting = false
    /// Transactions committed so far, each serving one group of writes (for tests and metrics).
    private(set) var committedGroups = 0

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` in the next group transaction; returns its result once that transaction committed.
    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            waiting.append(Job(
                perform: { db in
                    let outcome = Result { () throws -> T in
                        var value: Result<T, any Error>?
                        try db.inSavepoint {
                            value = .success(try work(db))
                            return .commit
                        }
                        guard let value else { throw DatabaseError(message: "a group write returned nothing") }
                        return try value.get()
                    }
                    return { continuation.resume(with: outcome) }
                },
                fail: { continuation.resume(throwing: $0) }))
            guard !isWriting else { return }
            isWriting = true
            // The loop runs in its own task so that cancelling one caller never aborts a group's commit.
            Task { await self.drain() }
        }
    }

    /// Writes groups until no write waits; writes arriving during a transaction form the next group.
    private func drain() async {
        while !waiting.isEmpty {
            let group = waiting
            waiting = []
            do {
                let answers = try await pool.write { db in group.map { $0.perform(db) } }
                committedGroups += 1
                for answer in answers { answer() }
            } catch {
                for job in group { job.fail(error) }
            }
        }
        isWriting = false
    }
}
