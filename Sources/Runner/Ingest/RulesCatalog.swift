/// The rules a server runs with now, and every snapshot deliveries were enqueued under.
import Foundation
import Synchronization

/// A loaded rules set with what routing needs precomputed.
public struct LoadedRules: Sendable {
    /// The rules set.
    public let file: RulesFile
    /// Its compiled routing index.
    public let ruleSet: RuleSet
    /// The store's version of the snapshot it came from.
    public let version: Int64
    /// Rule positions by name.
    public let positions: [String: Int]

    /// Compiles a rules set loaded from snapshot `version`.
    public init(file: RulesFile, version: Int64) {
        self.file = file
        self.ruleSet = RuleSet(file)
        self.version = version
        var positions: [String: Int] = [:]
        for (index, rule) in file.rules.enumerated() { positions[rule.name] = index }
        self.positions = positions
    }

    /// The rule with this name.
    public func rule(named name: String) -> Rule? { positions[name].map { file.rules[$0] } }
}

/// Holds the current rules (swapped atomically on reload) and a cache of older snapshots.
public final class RulesCatalog: Sendable {
    private let state: Mutex<(current: LoadedRules, paused: Set<String>, older: [Int64: LoadedRules])>
    private let store: any DeliveryStore
    private let environment: [String: String]

    /// Starts with `rules` as the current set.
    public init(current rules: LoadedRules, store: any DeliveryStore, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.state = Mutex((rules, [], [:]))
        self.store = store
        self.environment = environment
    }

    /// The rules new events are routed with.
    public var current: LoadedRules { state.withLock { $0.current } }
    /// Paused rule names.
    public var paused: Set<String> { state.withLock { $0.paused } }

    /// Makes `rules` current (a reload); deliveries already enqueued keep their own snapshot.
    public func replace(with rules: LoadedRules) {
        state.withLock { state in
            state.older[state.current.version] = state.current
            state.current = rules
        }
    }

    /// Refreshes the paused set from the store.
    public func refreshPaused() async throws {
        let paused = Set(try await store.pausedRules().keys)
        state.withLock { $0.paused = paused }
    }

    /// The rules of snapshot `version`, loading and caching it from the store when needed.
    public func rules(version: Int64) async throws -> LoadedRules? {
        if let cached = state.withLock({ $0.current.version == version ? $0.current : $0.older[version] }) { return cached }
        guard let snapshot = try await store.rules(version: version) else { return nil }
        let result = RulesLoader(environment: environment).load(snapshot.inputs)
        guard let file = result.rules else { return nil }
        let loaded = LoadedRules(file: file, version: version)
        state.withLock { $0.older[version] = loaded }
        return loaded
    }
}

extension RulesSnapshot {
    /// Reads the files a rules path names, as the loader does.
    public static func read(path: String) throws -> RulesSnapshot {
        RulesSnapshot(files: try RulesLoader.read(path: path).map { File(name: $0.file, content: $0.bytes) })
    }

    /// The files in the loader's form.
    public var inputs: [(file: String, bytes: [UInt8])] { files.map { ($0.name, $0.content) } }
}
