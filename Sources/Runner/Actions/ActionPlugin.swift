/// The plugin protocol for running actions: one type per action, registered in `ActionPlugins`.

/// Everything an action needs to run one attempt of one delivery.
public struct DeliveryContext: Sendable {
    /// The delivery, with its id (the idempotency key) and attempt count so far.
    public var delivery: Delivery
    /// The event and its original payload.
    public var event: StoredEvent
    /// The rule the delivery belongs to, from the delivery's rules snapshot.
    public var rule: Rule
    /// The timeout of this attempt (action, rule, then defaults).
    public var timeout: Duration

    /// Creates a context.
    public init(delivery: Delivery, event: StoredEvent, rule: Rule, timeout: Duration) {
        self.delivery = delivery
        self.event = event
        self.rule = rule
        self.timeout = timeout
    }
}

/// Runs one action type. `run` never throws: every failure is an `AttemptOutcome` the history keeps.
public protocol ActionPlugin: Sendable {
    /// The options type this plugin runs (it names the action type).
    associatedtype Config: ActionConfig
    /// Makes one attempt.
    func run(_ config: Config, context: DeliveryContext) async -> AttemptOutcome
    /// Deliveries with the same key share a concurrency limit (a URL's host, a script's path).
    func concurrencyKey(_ config: Config, context: DeliveryContext) -> String
    /// The limit configured on the action itself, if any.
    func concurrencyLimit(_ config: Config) -> Int?
}

extension ActionPlugin {
    public func concurrencyLimit(_ config: Config) -> Int? { nil }
}

/// A plugin with its options type erased, so plugins of every type sit in one table.
public struct AnyActionPlugin: Sendable {
    /// The action type it runs.
    public let type: String
    private let runBody: @Sendable (any ActionConfig, DeliveryContext) async -> AttemptOutcome
    private let keyBody: @Sendable (any ActionConfig, DeliveryContext) -> String
    private let limitBody: @Sendable (any ActionConfig) -> Int?

    /// Wraps a plugin.
    public init<P: ActionPlugin>(_ plugin: P) {
        type = P.Config.type
        runBody = { config, context in
            guard let config = config as? P.Config else {
                return AttemptOutcome(.failure, status: "internal: \(Swift.type(of: config)) is not \(P.Config.self)")
            }
            return await plugin.run(config, context: context)
        }
        keyBody = { config, context in
            (config as? P.Config).map { plugin.concurrencyKey($0, context: context) } ?? P.Config.type
        }
        limitBody = { config in (config as? P.Config).flatMap(plugin.concurrencyLimit) }
    }

    /// Makes one attempt.
    public func run(_ config: any ActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        await runBody(config, context)
    }

    /// The concurrency key of a delivery.
    public func concurrencyKey(_ config: any ActionConfig, context: DeliveryContext) -> String {
        "\(type):" + keyBody(config, context)
    }

    /// The action's own concurrency limit.
    public func concurrencyLimit(_ config: any ActionConfig) -> Int? { limitBody(config) }
}

/// The plugins a server runs with, by action type.
public struct ActionPlugins: Sendable {
    private var plugins: [String: AnyActionPlugin] = [:]

    /// An empty table.
    public init() {}

    /// Adds (or replaces) a plugin.
    public mutating func register<P: ActionPlugin>(_ plugin: P) {
        plugins[P.Config.type] = AnyActionPlugin(plugin)
    }

    /// The plugin for an action type.
    public func plugin(for type: String) -> AnyActionPlugin? { plugins[type] }
}
