/// The store's schema, versioned by GRDB's migrator: add a migration, never edit a shipped one.
import GRDB

extension SQLiteStore {
    /// Every schema version, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: rules, events, deliveries, attempts, rule state") { db in
            try createRules(db)
            try createEvents(db)
            try createDeliveries(db)
            try createAttempts(db)
            try createRuleState(db)
        }
        migrator.registerMigration("v2: debounce keys") { db in
            try db.alter(table: "deliveries") { t in t.add(column: "debounce_key", .text) }
            try db.create(index: "deliveries_by_debounce_key", on: "deliveries", columns: ["debounce_key", "state"])
        }
        migrator.registerMigration("v3: script output in attempts") { db in
            try db.alter(table: "attempts") { t in t.add(column: "output", .text) }
        }
        return migrator
    }

    private static func createRules(_ db: Database) throws {
        try db.create(table: "rules") { t in
            t.autoIncrementedPrimaryKey("version")
            t.column("sha256", .text).notNull().unique()
            // A JSON array of {"name", "content"} with base64 contents, in load order.
            t.column("files", .text).notNull()
            t.column("created_at", .integer).notNull()
        }
    }

    private static func createEvents(_ db: Database) throws {
        try db.create(table: "events") { t in
            t.primaryKey("id", .text)
            t.column("source_name", .text).notNull()
            t.column("kind", .text).notNull()
            t.column("type", .text).notNull()
            t.column("repository", .text).notNull()
            t.column("tag", .text)
            t.column("digest", .text)
            t.column("json", .text).notNull()
            t.column("payload", .blob).notNull()
            t.column("content_type", .text)
            t.column("received_at", .integer).notNull()
        }
        try db.create(index: "events_by_received_at", on: "events", columns: ["received_at"])
        try db.create(index: "events_by_repository", on: "events", columns: ["repository", "received_at"])
    }

    private static func createDeliveries(_ db: Database) throws {
        try db.create(table: "deliveries") { t in
            t.primaryKey("id", .text)
            t.column("event_id", .text).notNull().references("events", onDelete: .cascade)
            t.column("rule", .text).notNull()
            t.column("step", .integer).notNull()
            t.column("action_type", .text).notNull()
            t.column("rules_version", .integer).notNull()
            t.column("state", .text).notNull()
            t.column("attempts", .integer).notNull()
            t.column("next_attempt_at", .integer).notNull()
            t.column("lease_owner", .text)
            t.column("lease_until", .integer)
            t.column("last_status", .text)
            t.column("last_duration_ms", .integer)
            t.column("excerpt", .text)
            t.column("chain_failed", .boolean).notNull()
            t.column("created_at", .integer).notNull()
            t.column("updated_at", .integer).notNull()
        }
        // Claiming: `state = 'pending' AND next_attempt_at <= now ORDER BY next_attempt_at, created_at`,
        // and expired leases: `state = 'running' AND lease_until < now` (running rows are few).
        try db.create(index: "deliveries_due", on: "deliveries", columns: ["state", "next_attempt_at", "created_at"])
        // Listing, newest first, by any of the filters.
        try db.create(index: "deliveries_by_created_at", on: "deliveries", columns: ["created_at"])
        try db.create(index: "deliveries_by_state", on: "deliveries", columns: ["state", "created_at"])
        try db.create(index: "deliveries_by_rule", on: "deliveries", columns: ["rule", "state", "created_at"])
        try db.create(index: "deliveries_by_event", on: "deliveries", columns: ["event_id", "created_at"])
    }

    private static func createAttempts(_ db: Database) throws {
        try db.create(table: "attempts") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("delivery_id", .text).notNull().references("deliveries", onDelete: .cascade)
            t.column("number", .integer).notNull()
            t.column("started_at", .integer).notNull()
            t.column("duration_ms", .integer).notNull()
            t.column("status", .text).notNull()
            t.column("verdict", .text).notNull()
            t.column("excerpt", .text)
        }
        try db.create(index: "attempts_by_delivery", on: "attempts", columns: ["delivery_id", "number"])
    }

    private static func createRuleState(_ db: Database) throws {
        try db.create(table: "rule_state") { t in
            t.primaryKey("rule", .text)
            t.column("paused", .boolean).notNull().defaults(to: false)
            t.column("reason", .text)
            t.column("consecutive_failures", .integer).notNull().defaults(to: 0)
            t.column("updated_at", .integer)
        }
    }
}
