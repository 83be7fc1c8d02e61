/// The embedded store: one SQLite file in WAL mode, for a single Harbinger instance.
import Foundation
import GRDB

/// A `DeliveryStore` on one SQLite database file, durable on every commit.
public final class SQLiteStore: DeliveryStore {
    /// The connections: one writer, concurrent readers (WAL).
    let pool: DatabasePool
    /// Coalesces concurrent ingests, claims and attempt records into one transaction per group.
    let writer: GroupWriter

    /// How long a connection waits for a lock held by another process before giving up.
    static let busyTimeout: TimeInterval = 10

    /// Each connection's page cache, in KiB. SQLite's default is 2,000 KiB per connection, which the
    /// writer fills at start-up with the rules snapshot it stores and keeps full for the server's life.
    /// Pages it misses come from the OS page cache; with 512 KiB the drain and ingest rates of the
    /// benchmarks did not change measurably, and a server holds about 3 MB less (BENCHMARKS.md).
    static let cacheKiB = 512

    /// Opens or creates the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "harbinger.store"
        // Deliveries must point at stored events, attempts at stored deliveries (GRDB default, stated here).
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)") }
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets `synchronous = NORMAL` on the writer after opening it in WAL mode, which can lose
        // the last commits on power loss; an accepted event must survive that, so every commit fsyncs.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try Self.migrator.migrate(pool)
        writer = GroupWriter(pool: pool)
    }

    /// Closes the database; later calls fail.
    public func close() throws {
        try pool.close()
    }
}
