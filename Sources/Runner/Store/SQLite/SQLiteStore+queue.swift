/// The delivery queue: claiming under leases, recording attempts, releasing claims.
import GRDB
import RuleParser

extension SQLiteStore {
    /// Claims due deliveries of unpaused rules, oldest due first, within the limit in all and per rule,
    /// after taking back expired leases. Rules already full are left out in the query; the others are
    /// capped while picking from a window of the oldest due.
    public func claim(now: Int64, limit: ClaimLimit, lease: Duration, owner: String) async throws -> [Delivery] {
        let leaseUntil = now + lease.milliseconds
        let full = limit.fullRules
        return try await writer.submit { db in
            try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'pending', lease_owner = NULL, lease_until = NULL, updated_at = ?
                    WHERE state = 'running' AND lease_until < ?
                    """
            ).execute(arguments: [now, now])
            guard limit.total > 0 else { return [] }
            // Past the full rules, a window of the oldest due (row ids and rules only); rules near their
            // share are capped in it, and only the rows picked are read whole.
            let extra = limit.perRule == .max ? 0 : min(limit.total, 1_024)
            let window = limit.total > Int.max - extra ? Int.max : limit.total + extra
            let candidates = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT d.rowid, d.rule FROM deliveries AS d
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ?
                      AND NOT EXISTS (SELECT 1 FROM rule_state AS r WHERE r.rule = d.rule AND r.paused)
                      AND d.rule NOT IN (SELECT value FROM json_each(?))
                    ORDER BY d.next_attempt_at, d.created_at, d.rowid
                    LIMIT ?
                    """),
                arguments: [now, Self.jsonArray(full), window])
            var taken: [String: Int] = [:]
            var picked: [Int64] = []
            for row in candidates where picked.count < limit.total {
                let rule: String = row[1]
                guard taken[rule, default: 0] < limit.room(for: rule) else { continue }
                taken[rule, default: 0] += 1
                picked.append(row[0])
            }
            let read = try db.cachedStatement(sql: "SELECT * FROM deliveries WHERE rowid = ?")
            let due = try picked.compactMap { try Row.fetchOne(read, arguments: [$0]).map(Delivery.init(row:)) }
            let take = try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'running', lease_owner = ?, lease_until = ?, updated_at = ?
                WHERE id = ?
                """)
            var claimed: [Delivery] = []
            for var delivery in due {
                try take.execute(arguments: [owner, leaseUntil, now, delivery.id])
                delivery.state = .running
                delivery.leaseOwner = owner
                delivery.leaseUntil = leaseUntil
                delivery.updatedAt = now
                claimed.append(delivery)
            }
            return claimed
        }
    }

    /// `strings` as a JSON array, for `json_each`.
    static func jsonArray(_ strings: [String]) -> String {
        JSON.strings(strings).serialized()
    }

    /// Records the attempt, applies the transition to the delivery and enqueues the chain's next steps.
    public func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64) async throws {
        try await writer.submit { db in try Self.record(attempt, delivery: delivery, transition: transition, now: now, db) }
    }

    /// Records the attempt and, for a final state, counts the rule's run of failures, in one group write.
    public func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64,
                       notingOutcomeOf rule: String?) async throws -> Int? {
        try await writer.submit { db in
            try Self.record(attempt, delivery: delivery, transition: transition, now: now, db)
            guard let rule, transition.state != .pending else { return nil }
            return try Self.noteOutcome(rule: rule, failed: transition.state == .failed || transition.state == .dead, db)
        }
    }

    static func record(_ attempt: Attempt, delivery: Delivery, transition: Transition, now: Int64, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE deliveries SET attempts = attempts + 1, last_status = ?, last_duration_ms = ?, excerpt = ?,
                    state = ?, next_attempt_at = COALESCE(?, next_attempt_at),
                    lease_owner = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ?
                """
        ).execute(arguments: [attempt.status, attempt.durationMillis, attempt.excerpt, transition.state.rawValue,
                              transition.nextAttemptAt, now, delivery.id])
        guard db.changesCount > 0 else {
            throw DatabaseError(message: "no delivery \(delivery.id) to record an attempt for")
        }
        try attempt.insert(db)
        for next in transition.enqueue {
            try next.insert(db)
        }
    }

    /// Moves the leases of `owner`'s running deliveries to `until`; returns how many.
    public func renewLeases(owner: String, until: Int64) async throws -> Int {
        try await writer.submit { db in
            try db.cachedStatement(sql: "UPDATE deliveries SET lease_until = ? WHERE state = 'running' AND lease_owner = ?")
                .execute(arguments: [until, owner])
            return db.changesCount
        }
    }

    /// Returns running deliveries (of `owner`, or of everyone when nil) to pending; returns how many.
    public func releaseAll(owner: String?, now: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = 'pending', lease_owner = NULL, lease_until = NULL, updated_at = ?
                    WHERE state = 'running' AND (? IS NULL OR lease_owner = ?)
                    """,
                arguments: [now, owner, owner])
            return db.changesCount
        }
    }
}
