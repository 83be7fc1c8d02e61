/// A rule: when an event matches `when`, run the `do` chain.
public struct Rule: Sendable {
    /// Unique name, used in history, metrics and tests.
    public var name: String
    /// Free text.
    public var description: String? {
        get { rare.fields.description }
        set { rare.fields.description = newValue }
    }
    /// A disabled rule is loaded and checked but never matches.
    public var enabled: Bool
    /// The condition every matching event satisfies.
    public var when: Condition
    /// The actions, run in order; a step that finally fails stops the chain.
    public var actions: [ActionStep]
    /// Later rules are not evaluated for an event this rule matched.
    public var stop: Bool
    /// Overrides the defaults' retry policy for this rule's deliveries.
    public var retry: RetryPolicy? {
        get { rare.fields.retry }
        set { rare.fields.retry = newValue }
    }
    /// Overrides the defaults' timeout for this rule's attempts.
    public var timeout: Duration? {
        get { rare.fields.timeout }
        set { rare.fields.timeout = newValue }
    }
    /// Collapses a burst of events with the same key into one delivery of the latest.
    public var debounce: Debounce? {
        get { rare.fields.debounce }
        set { rare.fields.debounce = newValue }
    }
    /// Pause the rule after this many deliveries in a row finally failed.
    public var disableAfter: Int? {
        get { rare.fields.disableAfter }
        set { rare.fields.disableAfter = newValue }
    }
    /// Where the rule starts.
    public var mark: Mark
    /// The settings most rules leave out, out of line: inline they took three quarters of a rule's size.
    private var rare: OutOfLine<RareSettings>

    /// Creates a rule.
    public init(name: String, description: String? = nil, enabled: Bool = true, when: Condition, actions: [ActionStep],
                stop: Bool = false, retry: RetryPolicy? = nil, timeout: Duration? = nil, debounce: Debounce? = nil,
                disableAfter: Int? = nil, mark: Mark) {
        self.name = name
        self.enabled = enabled
        self.when = when
        self.actions = actions
        self.stop = stop
        self.mark = mark
        self.rare = OutOfLine(RareSettings(description: description, retry: retry, timeout: timeout, debounce: debounce,
                                           disableAfter: disableAfter))
    }

    /// The settings `rare` holds.
    private struct RareSettings: RarelySet {
        var description: String?
        var retry: RetryPolicy?
        var timeout: Duration?
        var debounce: Debounce?
        var disableAfter: Int?

        var isEmpty: Bool { description == nil && retry == nil && timeout == nil && debounce == nil && disableAfter == nil }
    }
}

/// One step of a rule's `do` chain.
public struct ActionStep: Sendable {
    /// The action's decoded options; its type names the plugin that runs it.
    public var config: any ActionConfig
    /// Where the step is written.
    public var mark: Mark

    /// Creates a step.
    public init(config: any ActionConfig, mark: Mark) {
        self.config = config
        self.mark = mark
    }

    /// The action type's name (`http`, `shell`, ...).
    public var type: String { Swift.type(of: config).type }
}

/// `debounce: {key, window}`.
public struct Debounce: Sendable {
    /// Events whose rendered key is equal are collapsed.
    public var key: Template
    /// How long to wait for a later event before delivering.
    public var window: Duration
}
