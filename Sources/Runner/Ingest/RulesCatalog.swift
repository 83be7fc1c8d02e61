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
    /// Rule positions in the order of their names (names are unique), for `rule(named:)`: 4 bytes a
    /// rule, where a dictionary by name took about 40.
    private let byName: [Int32]

    /// Compiles a rules set loaded from snapshot `version`.
    public init(file: RulesFile, version: Int64) {
        self.file = file
        self.ruleSet = RuleSet(file)
        self.version = version
        let rules = file.rules
        byName = (0..<Int32(rules.count)).sorted { rules[Int($0)].name < rules[Int($1)].name }
    }

    /// The rule with this name.
    public func rule(named name: String) -> Rule? {
        let rules = file.rules
        var low = 0, high = byName.count
        while low < high {
            let middle = (low + high) / 2
            let position = Int(byName[middle])
            let candidate = rules[position].name
            if candidate == name { return rules[position] }
            if candidate < name { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}

/// Holds the current rules (swapped atomically on reload) and a small cache of older snapshots.
public final class RulesCatalog: Sendable {
    /// Older snapshots kept compiled, most recently used first. A compiled 10,000-rule set takes about
    /// 17 MB (malloc in use, BENCHMARKS.md), so a reload keeps only its predecessor (deliveries queued
    /// just before it still need it); an evicted snapshot that deliveries still name is loaded again.
    public static let olderLimit = 1

    /// How long a snapshot that failed to compile is answered with the same error before it is tried
    /// again (10 s): its deliveries retry, and each attempt would otherwise compile the whole rules set anew.
    let failureMemory: Duration

    private let state: Mutex<(current: LoadedRules, paused: Set<String>, older: [LoadedRules])>
    /// Snapshots that failed to compile, with when and why (see `failureMemory`).
    private let failures = Mutex<[Int64: (at: ContinuousClock.Instant, error: RulesError)]>([:])
    private let store: any DeliveryStore
    private let environment: [String: String]

    /// Starts with `rules` as the current set.
    public init(current rules: LoadedRules, store: any DeliveryStore, environment: [String: String] = ProcessInfo.processInfo.environment,
                failureMemory: Duration = .seconds(10)) {
        self.state = Mutex((rules, [], []))
        self.store = store
        self.environment = environment
        self.failureMemory = failureMemory
    }

    /// The rules new events are routed with.
    public var current: LoadedRules { state.withLock { $0.current } }
    /// Paused rule names.
    public var paused: Set<String> { state.withLock { $0.paused } }

    /// Makes `rules` current (a reload); deliveries already enqueued keep their own snapshot.
    public func replace(with rules: LoadedRules) {
        state.withLock { state in
            // The same files again (a touched file, an edit undone) are one version: keep one compiled copy.
            if state.current.version != rules.version { Self.remember(state.current, in: &state.older) }
            state.older.removeAll { $0.version == rules.version }
            state.current = rules
        }
    }

    /// Refreshes the paused set from the store.
    public func refreshPaused() async throws {
        let paused = Set(try await store.pausedRules().keys)
        state.withLock { $0.paused = paused }
    }

    /// The rules of snapshot `version`, loading and caching it from the store when needed; nil when the
    /// store has no such snapshot. Secrets are never stored, so a snapshot loaded again reads its `_file`
    /// secrets and `${VAR}`s now: when one is gone, this throws the loader's `RulesError`.
    public func rules(version: Int64) async throws -> LoadedRules? {
        let cached = state.withLock { state -> LoadedRules? in
            if state.current.version == version { return state.current }
            guard let index = state.older.firstIndex(where: { $0.version == version }) else { return nil }
            let found = state.older.remove(at: index)
            state.older.insert(found, at: 0)
            return found
        }
        if let cached { return cached }
        let now = ContinuousClock.now
        if let failure = failures.withLock({ $0[version] }), now - failure.at < failureMemory { throw failure.error }
        guard let snapshot = try await store.rules(version: version) else { return nil }
        let environment = environment
        let compiled = await BlockingWork.run { () -> Result<LoadedRules, RulesError> in
            let result = RulesLoader(environment: environment).load(snapshot.inputs)
            guard let file = result.rules else { return .failure(RulesError(result.diagnostics)) }
            return .success(LoadedRules(file: file, version: version))
        }
        let loaded: LoadedRules
        do {
            loaded = try compiled.get()
            failures.withLock { _ = $0.removeValue(forKey: version) }
        } catch {
            failures.withLock { $0[version] = (now, error) }
            throw error
        }
        state.withLock { state in
            if state.current.version != version { Self.remember(loaded, in: &state.older) }
        }
        HeapTrim.releaseFreePages()
        return loaded
    }

    /// Versions of the older snapshots held compiled, most recently used first.
    public var cachedOlderVersions: [Int64] { state.withLock { $0.older.map(\.version) } }

    private static func remember(_ rules: LoadedRules, in older: inout [LoadedRules]) {
        older.removeAll { $0.version == rules.version }
        older.insert(rules, at: 0)
        if older.count > olderLimit { older.removeLast(older.count - olderLimit) }
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
