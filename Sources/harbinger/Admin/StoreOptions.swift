/// The `--store` option shared by the commands that read or change the delivery history.
import ArgumentParser
import Runner

struct StoreOptions: ParsableArguments {
    @Option(help: "The store: sqlite:PATH (default sqlite:harbinger.db). postgres:// URLs are planned.")
    var store: String = "sqlite:harbinger.db"

    func validate() throws {
        guard store.hasPrefix("sqlite:") else {
            throw ValidationError("only sqlite:PATH stores are supported so far, got '\(store)'")
        }
    }

    /// Opens the store the option names.
    func open() async throws -> any DeliveryStore {
        try await openStore(store)
    }
}

/// Opens `sqlite:PATH` (a bare path is taken as SQLite too).
func openStore(_ spec: String) async throws -> any DeliveryStore {
    let path = spec.hasPrefix("sqlite:") ? String(spec.dropFirst("sqlite:".count)) : spec
    return try SQLiteStore(path: path)
}
