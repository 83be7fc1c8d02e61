/// Reading and replaying the delivery history, and the queue's size.
import GRDB

extension SQLiteStore {
    /// Deliveries matching the query, newest first.
    public func deliveries(_ query: DeliveryQuery) async throws -> [Delivery] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let state = query.state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        if let rule = query.rule {
            conditions.append("rule = ?")
            arguments += [rule]
        }
        if let eventID = query.eventID {
            conditions.append("event_id = ?")
            arguments += [eventID]
        }
        arguments += [max(0, query.limit)]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM deliveries \(filter) ORDER BY created_at DESC, rowid DESC LIMIT ?"
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Delivery.init(row:))
        }
    }

    /// One delivery and its attempts, first attempt first.
    public func delivery(id: String) async throws -> (Delivery, [Attempt])? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let attempts = try Row.fetchAll(
                db, sql: "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number, id", arguments: [id]
            ).map(Attempt.init(row:))
            return (try Delivery(row: row), attempts)
        }
    }

    /// Makes the deliveries pending again, due now, with no attempts counted; returns the ids replayed.
    /// A running delivery is left alone: clearing its lease would let a claim start it a second time.
    public func replay(_ ids: [String], now: Int64, onlyIn states: [Delivery.State]?) async throws -> [String] {
        let allowed = Self.jsonArray((states ?? Delivery.State.allCases).filter { $0 != .running }.map(\.rawValue))
        return try await pool.write { db in
            var found: [String] = []
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?,
                            lease_owner = NULL, lease_until = NULL, updated_at = ?
                        WHERE id = ? AND state IN (SELECT value FROM json_each(?))
                        """,
                    arguments: [now, now, id, allowed])
                if db.changesCount > 0 { found.append(id) }
            }
            return found
        }
    }

    /// Removes finished history older than `before`, in one short write: at most `limit` deliveries
    /// and the events they leave unnamed. The last call of a pass (fewer than `limit` deliveries left)
    /// also sweeps up to `limit` other unnamed old events (a debounce replaces an event, say) and the
    /// unused snapshots, after marking the `keeping` ones as in use at `now`.
    public func prune(before: Int64, keeping versions: [Int64], limit: Int, now: Int64) async throws -> PruneResult {
        try await pool.write { db in
            var result = PruneResult()
            let limit = max(1, limit)
            // No ORDER BY: `state IN (...)` walks the state index and stops at the limit, where an order
            // over the three states would sort every old finished delivery on each call.
            let doomed = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid, event_id FROM deliveries
                    WHERE state IN ('succeeded', 'failed', 'dead') AND updated_at < ? LIMIT ?
                    """,
                arguments: [before, limit])
            if !doomed.isEmpty {
                let rowids: [Int64] = doomed.map { $0[0] }
                let events = Array(Set(doomed.map { row -> String in row[1] }))
                // Attempts go with their delivery (ON DELETE CASCADE).
                try db.execute(sql: "DELETE FROM deliveries WHERE rowid IN (SELECT value FROM json_each(?))",
                               arguments: [Self.jsonArray(rowids.map(String.init))])
                result.deliveries = db.changesCount
                try db.execute(
                    sql: """
                        DELETE FROM events WHERE id IN (SELECT value FROM json_each(?)) AND received_at < ?
                          AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.event_id = events.id)
                        """,
                    arguments: [Self.jsonArray(events), before])
                result.events = db.changesCount
            }
            guard result.deliveries < limit else { return result }
            try db.execute(
                sql: """
                    DELETE FROM events WHERE rowid IN (
                        SELECT e.rowid FROM events AS e
                        WHERE e.received_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.event_id = e.id)
                        LIMIT ?)
                    """,
                arguments: [before, limit])
            result.events += db.changesCount
            // A snapshot a running server uses is marked at every pass, so another server sharing the
            // store cannot take it even when no delivery names it yet.
            let keeping = Self.jsonArray(versions.map(String.init))
            try db.execute(sql: "UPDATE rules SET created_at = MAX(created_at, ?) WHERE version IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
                           arguments: [now, keeping])
            try db.execute(
                sql: """
                    DELETE FROM rules
                    WHERE created_at < ? AND version NOT IN (SELECT CAST(value AS INTEGER) FROM json_each(?))
                      AND version NOT IN (SELECT DISTINCT rules_version FROM deliveries)
                    """,
                arguments: [before, keeping])
            result.snapshots = db.changesCount
            return result
        }
    }

    /// How many deliveries are pending or running.
    public func queueDepth() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'running')") ?? 0
        }
    }

    /// When the next pending delivery of an unpaused rule is due: a paused rule's backlog must not wake
    /// the workers in a loop.
    public func nextDue(skipping rules: [String]) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT MIN(d.next_attempt_at) FROM deliveries AS d
                    WHERE d.state = 'pending'
                      AND NOT EXISTS (SELECT 1 FROM rule_state AS r WHERE r.rule = d.rule AND r.paused)
                      AND d.rule NOT IN (SELECT value FROM json_each(?))
                    """,
                arguments: [Self.jsonArray(rules)])
        }
    }
}
