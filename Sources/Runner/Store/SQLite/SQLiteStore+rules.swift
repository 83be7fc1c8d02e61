/// Rules snapshots, content-addressed, and each rule's pause and failure state.
import Crypto
import Foundation
import GRDB

extension SQLiteStore {
    /// Stores a snapshot unless the same files are stored already; returns its version. Saving the same
    /// files again marks the stored snapshot as in use now (`created_at`), so history pruning, which
    /// takes snapshots unused for longer than the retention, cannot take one that is coming back.
    public func saveRules(_ snapshot: RulesSnapshot, now: Int64) async throws -> Int64 {
        let hash = snapshot.sha256
        let files = snapshot.filesJSON
        return try await pool.write { db in
            if let version = try Int64.fetchOne(db, sql: "SELECT version FROM rules WHERE sha256 = ?", arguments: [hash]) {
                try db.execute(sql: "UPDATE rules SET created_at = MAX(created_at, ?) WHERE version = ?", arguments: [now, version])
                return version
            }
            try db.execute(sql: "INSERT INTO rules (sha256, files, created_at) VALUES (?, ?, ?)",
                           arguments: [hash, files, now])
            return db.lastInsertedRowID
        }
    }

    /// The files of a stored snapshot.
    public func rules(version: Int64) async throws -> RulesSnapshot? {
        let files = try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT files FROM rules WHERE version = ?", arguments: [version])
        }
        return try files.map { text in try RulesSnapshot(filesJSON: text) }
    }

    /// Pauses or resumes a rule.
    public func setPaused(rule: String, paused: Bool, reason: String?, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO rule_state (rule, paused, reason, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (rule) DO UPDATE SET paused = excluded.paused, reason = excluded.reason,
                        updated_at = excluded.updated_at
                    """,
                arguments: [rule, paused, paused ? reason : nil, now])
        }
    }

    /// Paused rules and the reason given (empty when none was).
    public func pausedRules() async throws -> [String: String] {
        try await pool.read { db in
            var paused: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT rule, reason FROM rule_state WHERE paused") {
                let reason: String? = try row.decode(forColumn: "reason")
                paused[try row.decode(forColumn: "rule")] = reason ?? ""
            }
            return paused
        }
    }

    /// Counts a rule's run of final failures (reset by a success); returns the new count.
    public func noteOutcome(rule: String, failed: Bool) async throws -> Int {
        try await writer.submit { db in try Self.noteOutcome(rule: rule, failed: failed, db) }
    }

    static func noteOutcome(rule: String, failed: Bool, _ db: Database) throws -> Int {
        try db.cachedStatement(
            sql: """
                INSERT INTO rule_state (rule, consecutive_failures) VALUES (?, ?)
                ON CONFLICT (rule) DO UPDATE SET consecutive_failures = \(failed ? "consecutive_failures + 1" : "0")
                """
        ).execute(arguments: [rule, failed ? 1 : 0])
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT consecutive_failures FROM rule_state WHERE rule = ?"),
                                arguments: [rule]) ?? 0
    }
}

extension RulesSnapshot {
    /// A hash of the names and contents, length-prefixed so no two snapshots share an encoding.
    var sha256: String {
        var hasher = SHA256()
        for file in files {
            for part in [Array(file.name.utf8), file.content] {
                var length = UInt64(part.count).bigEndian
                withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
                hasher.update(data: part)
            }
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The files as `[{"name", "content"}]`, contents in base64 (rules files are text, but bytes are kept exact).
    var filesJSON: String {
        JSON.array(files.map { file in
            .object([("name", .string(file.name)), ("content", .string(Data(file.content).base64EncodedString()))])
        }).serialized()
    }

    /// Reads `filesJSON` back.
    init(filesJSON text: String) throws {
        let files = try JSONCursor.parse(Array(text.utf8)).array().map { file throws in
            let encoded = try file.requiredString("content")
            guard let content = Data(base64Encoded: encoded) else {
                throw DecodeError(path: file.path + ".content", "is not base64")
            }
            return File(name: try file.requiredString("name"), content: Array(content))
        }
        self.init(files: files)
    }
}
