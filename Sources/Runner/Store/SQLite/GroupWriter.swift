/// Group commit: writes that arrive while a transaction is being written share the next one.
import GRDB

/// Coalesces concurrent writes (ingests, claims, attempt records) so that one transaction, and one
/// fsync, serves many callers. A write that fails (a clashing delivery id) fails alone and the others
/// still commit: the group first runs in one savepoint, and only when some write fails is it run
/// again with a savepoint per write. A caller returns only once the transaction holding its write committed.
actor GroupWriter {
    /// One caller's write, waiting for the transaction that includes it.
    private struct Job: Sendable {
        /// Runs the write; returns how to answer the caller once the transaction committed.
        let perform: @Sendable (Database) throws -> @Sendable () -> Void
        /// Answers the caller with an error: its own write's, or the transaction's.
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
                    let value = try work(db)
                    return { continuation.resume(returning: value) }
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
                let answers = try await pool.write { db in try Self.run(group, db) }
                committedGroups += 1
                for answer in answers { answer() }
            } catch {
                for job in group { job.fail(error) }
            }
        }
        isWriting = false
    }

    /// Runs the group's writes: all in one savepoint, or, when one fails, each in its own.
    private static func run(_ group: [Job], _ db: Database) throws -> [@Sendable () -> Void] {
        var answers: [@Sendable () -> Void] = []
        var allSucceeded = false
        try db.inSavepoint {
            do {
                answers = try group.map { try $0.perform(db) }
                allSucceeded = true
                return .commit
            } catch {
                return .rollback
            }
        }
        if allSucceeded { return answers }
        answers = []
        for job in group {
            var answer: (@Sendable () -> Void)?
            do {
                try db.inSavepoint {
                    answer = try job.perform(db)
                    return .commit
                }
            } catch {
                answer = { job.fail(error) }
            }
            if let answer { answers.append(answer) }
        }
        return answers
    }
}
