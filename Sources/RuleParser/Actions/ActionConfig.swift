/// The plugin protocol for action types: each decodes and validates its own options at load time.

/// The options of one action type, decoded from the rules file. Adding an action type is one
/// conforming type and one line in `ActionRegistry.types`.
public protocol ActionConfig: Sendable {
    /// The key that names this action in a `do` step (`http`, `shell`, ...).
    static var type: String { get }
    /// One sentence for `harbinger schema` and the docs.
    static var summary: String { get }
    /// The JSON Schema of the options.
    static var schema: JSON { get }
    /// Decodes the options, reporting every problem to `decoder`; nil when they are unusable.
    static func decode(_ node: Node, decoder: NodeDecoder, context: ActionContext) -> Self?
    /// What the action is aimed at, unrendered (a URL, a command, a destination), for `explain`.
    var target: String { get }
    /// The action's own timeout, when it sets one (it overrides the rule's and the defaults').
    var timeout: Duration? { get }
}

extension ActionConfig {
    public var timeout: Duration? { nil }
}

/// What an action's decoding may need to know about the rule around it.
public struct ActionContext: Sendable {
    /// The rule's name, for messages.
    public var ruleName: String
    /// The step's index in the rule's `do` list.
    public var index: Int

    /// `action 'http' in rule 'deploy'`.
    public func describe(_ type: String) -> String { "\(type) action in rule '\(ruleName)'" }
}

/// Every action type the rules language knows.
public enum ActionRegistry {
    /// The action types, in the order the docs list them.
    public static let types: [any ActionConfig.Type] = [
        HTTPActionConfig.self,
        ShellActionConfig.self,
        ReplicateActionConfig.self,
        HarborReplicationActionConfig.self,
        CallbackActionConfig.self,
    ]

    /// The action type named `name`.
    public static func type(named name: String) -> (any ActionConfig.Type)? {
        types.first { $0.type == name }
    }
}
