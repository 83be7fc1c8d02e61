/// Reloads the rules on SIGHUP or when the files change; an invalid edit keeps the old rules serving.
import Foundation
import Logging
import Metrics
import Runner
import ServiceLifecycle
import UnixSignals

/// A service that watches the rules path and swaps in valid new rules.
struct RulesWatcher: Service {
    let path: String
    let catalog: RulesCatalog
    let store: any DeliveryStore
    let clock: any WallClock
    let logger: Logger
    var pollInterval: Duration = .seconds(1)

    func run() async throws {
        let initial = Self.fingerprint(path)
        let signals = await UnixSignalsSequence(trapping: .sighup)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals {
                    await reload(reason: "SIGHUP")
                }
            }
            group.addTask {
                var fingerprint = initial
                while !Task.isCancelled {
                    try await Task.sleep(for: pollInterval)
                    let now = Self.fingerprint(path)
                    if now != fingerprint {
                        fingerprint = now
                        await reload(reason: "file change")
                    }
                    try? await catalog.refreshPaused()
                    if let depth = try? await store.queueDepth() {
                        Gauge(label: "harbinger_queue_depth").record(depth)
                    }
                }
            }
            try await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Loads the rules again; returns whether they were replaced.
    @discardableResult
    func reload(reason: String) async -> Bool {
        do {
            let snapshot = try RulesSnapshot.read(path: path)
            let inputs = snapshot.inputs
            let result = await BlockingWork.run { RulesLoader().load(inputs) }
            guard let file = result.rules else {
                let first = result.diagnostics.prefix(5).map(\.description).joined(separator: "; ")
                logger.error("rules reload failed; the previous rules keep serving", metadata: [
                    "reason": "\(reason)", "errors": "\(result.diagnostics.count)", "diagnostics": "\(first)",
                ])
                Counter(label: "harbinger_reloads_total", dimensions: [("result", "failure")]).increment()
                return false
            }
            let version = try await store.saveRules(snapshot, now: clock.now())
            catalog.replace(with: LoadedRules(file: file, version: version))
            HeapTrim.releaseFreePages()
            logger.info("rules reloaded", metadata: ["reason": "\(reason)", "version": "\(version)", "rules": "\(file.rules.count)"])
            Counter(label: "harbinger_reloads_total", dimensions: [("result", "success")]).increment()
            return true
        } catch {
            logger.error("rules reload failed; the previous rules keep serving", metadata: ["reason": "\(reason)", "error": "\(error)"])
            Counter(label: "harbinger_reloads_total", dimensions: [("result", "failure")]).increment()
            return false
        }
    }

    /// Names, sizes and modification times of the rules files: a cheap change detector.
    static func fingerprint(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "" }
        var names = [path]
        if isDirectory.boolValue {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        return names.map { name in
            let attributes = (try? FileManager.default.attributesOfItem(atPath: name)) ?? [:]
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(modified)"
        }.joined(separator: "|")
    }
}
