/// `harbinger serve`: accept webhooks, store them durably, deliver them.
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import Runner
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Accept registry webhooks on POST /hooks/<source>, store them durably and run the matching rules' actions.",
        discussion: """
            Every accepted event and its deliveries are committed to the store before the registry gets \
            its 202; a registry that re-sends the same notification gets 200 and no second delivery. \
            Deliveries are retried with exponential backoff and full jitter, kept in the history \
            ('harbinger deliveries') and can be replayed ('harbinger replay').

            The rules are reloaded on SIGHUP and when the files change; an invalid edit is logged and \
            counted (harbinger_reloads_total{result="failure"}) and the previous rules keep serving. \
            SIGTERM stops accepting, lets in-flight deliveries finish (10 s at most) and leaves the \
            rest pending for the next start.

            Finished deliveries (succeeded, failed, dead), their attempts and events leave the history \
            30 days after their last attempt, or after --retention / server.retention; pending and \
            running deliveries are never removed.

            Also serves GET /healthz, GET /readyz and GET /metrics (Prometheus text).
            Listen address and store come from the flags, else the rules file's server: block, else \
            127.0.0.1:8686 and sqlite:harbinger.db.
            """
    )

    @Option(help: "A rules file, or a directory of rules files.")
    var rules: String

    @Option(help: "host:port to listen on (default: server.listen, else 127.0.0.1:8686).")
    var listen: String?

    @Option(help: "The store: sqlite:PATH (default: server.store, else sqlite:harbinger.db).")
    var store: String?

    @Option(help: "How long finished deliveries and their events stay in the history: a duration such as 30d, or forever (default: server.retention, else 30d).",
            transform: { text throws -> HistoryRetention in
                do throws(ValueError) { return try HistoryRetention(parsing: text) } catch { throw ValidationError(error.message) }
            })
    var retention: HistoryRetention?

    @Option(help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // Before the server's threads start allocating: see `HeapTrim`.
        HeapTrim.keepLargeBlocksMapped()
        HeapTrim.limitArenas(environment: ProcessInfo.processInfo.environment)
        // Foundation's default zone is UTC before Hummingbird's date cache builds its calendar. Looking up the
        // machine's zone goes through ICU and leaves about 1.5 MiB of its code and data resident for the
        // server's life. No time the server shows uses the default zone: the store, the JSON logs and
        // `Retry-After` use UTC by name, and the text logs use the C library's local time.
        NSTimeZone.default = TimeZone(secondsFromGMT: 0)!
        bootstrapLogging(format: logFormat, level: logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "harbinger")

        let snapshot: RulesSnapshot
        do {
            snapshot = try RulesSnapshot.read(path: rules)
        } catch {
            printError("harbinger: \(error)\n")
            throw ExitCode(2)
        }
        // The same bytes are stored as the snapshot and loaded: an edit in between cannot split them.
        let file = try RulesLoader.loadOrExit(rules, files: snapshot.inputs)
        let (host, port) = try Self.address(listen ?? file.server.listen ?? "127.0.0.1:8686")
        let storeSpec = store ?? file.server.store ?? "sqlite:harbinger.db"
        guard storeSpec.hasPrefix("sqlite:") else {
            printError("harbinger: only sqlite:PATH stores are supported so far, got '\(storeSpec)'\n")
            throw ExitCode(2)
        }
        let maxBody = Int(file.server.maxBody?.bytes ?? Int64(HTTPServer.defaultMaxBody))
        let sourceNames = file.sources.map(\.name).joined(separator: ",")
        let deliveryStore = try await openStore(storeSpec)
        let clock = SystemClock()
        // `consume`: the files' bytes and this first model must not outlive their use here; held until
        // `run` returns, they would stay resident for the server's life (and the model past a reload).
        let version = try await deliveryStore.saveRules(consume snapshot, now: clock.now())
        let catalog = RulesCatalog(current: LoadedRules(file: consume file, version: version), store: deliveryStore)
        // The load's YAML tree is gone: give its pages back (tens of megabytes for a large rules file).
        HeapTrim.releaseFreePages()
        try await catalog.refreshPaused()

        // A refused connection should fail the attempt at once and leave retrying to the delivery schedule.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // Each target's `concurrency` bounds its requests; the pool's default of 8 connections per host
        // would otherwise queue a busier target behind it.
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.connectionsPerHost
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let workers = DeliveryWorkers(store: deliveryStore, catalog: catalog, plugins: .standard(httpClient: httpClient),
                                      clock: clock, logger: Logger(label: "harbinger.delivery"))
        // Deliveries due at once are claimed as they are stored and go straight to a worker; the ingest
        // tells the workers through the hand-off when it left some pending for their claims.
        let ingestor = Ingestor(store: deliveryStore, catalog: catalog, clock: clock, handoff: workers.handoff)
        let watcher = RulesWatcher(path: rules, catalog: catalog, store: deliveryStore, clock: clock, logger: Logger(label: "harbinger.rules"))
        let router = HTTPServer.router(
            isReady: { (try? await deliveryStore.queueDepth()) != nil },
            metricsText: { registry.emitToString() })
        let hooks = HookResponder(catalog: catalog, ingestor: ingestor, defaultMaxBody: maxBody, logger: logger)
        let pruner = HistoryPruner(store: deliveryStore, catalog: catalog, clock: clock, override: retention)
        let app = Application(router: router, server: HTTPServer.server(hooks: hooks),
                              configuration: .init(address: .hostname(host, port: port)),
                              services: [workers, watcher, pruner], logger: logger)
        logger.info("serving", metadata: ["listen": "\(host):\(port)", "store": "\(storeSpec)", "rules": "\(rules)",
                                          "sources": "\(sourceNames)"])
        do {
            try await app.runService()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    /// Connections the HTTP client keeps open to one host at most.
    static let connectionsPerHost = 256

    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("listen address must be host:port, got '\(text)'")
        }
        return (String(text[..<colon]), port)
    }
}

extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
