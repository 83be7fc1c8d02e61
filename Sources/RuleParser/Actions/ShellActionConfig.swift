/// `shell`: run a program with templated arguments, never through a shell.
public struct ShellActionConfig: ActionConfig {
    public static let type = "shell"
    public static let summary = "Run a program with templated arguments (never through a shell); the event is on stdin."

    /// The argv; each element is a template rendered per delivery.
    public var command: [Template]
    /// Extra environment variables, values templated.
    public var environment: [(name: String, value: Template)] = []
    /// The working directory.
    public var workdir: String?
    /// Overrides the rule's timeout; then SIGTERM, then SIGKILL.
    public var timeout: Duration?
    /// Concurrent runs of this program.
    public var concurrency: Int?

    /// Creates a shell action running `command`.
    public init(command: [Template]) {
        self.command = command
    }

    public var target: String { command.map(\.text).joined(separator: " ") }

    public static func decode(_ node: Node, decoder d: NodeDecoder, context: ActionContext) -> ShellActionConfig? {
        let what = context.describe(type)
        if case .scalar(let scalar) = node.content, !scalar.isNull {
            d.error("\(what) takes {command: [program, args...]}; the command is an argument list and is never run through a shell", at: node.mark)
            return nil
        }
        guard let f = d.fields(node, what, keys: ["command", "env", "workdir", "timeout", "concurrency"]) else { return nil }
        guard let commandNode = d.required(f, "command") else { return nil }
        guard case .sequence(let items) = commandNode.content else {
            d.error("command in \(what) must be a list of arguments such as [\"./deploy.sh\", \"{{image}}\"]; it is never run through a shell", at: commandNode.mark)
            return nil
        }
        guard !items.isEmpty else {
            d.error("command in \(what) must name a program", at: commandNode.mark)
            return nil
        }
        let command = items.enumerated().compactMapToFit { index, item in d.template(item, "command[\(index)] in \(what)") }
        guard command.count == items.count else { return nil }
        if command[0].text.isEmpty {
            d.error("command in \(what) must name a program", at: items[0].mark)
        }
        var config = ShellActionConfig(command: command)
        if let node = f["env"], case .mapping(let entries) = node.content {
            config.environment.reserveCapacity(entries.count)
            for entry in entries {
                guard let name = entry.key.scalar?.value,
                      let value = d.template(entry.value, "env '\(name)' in \(what)") else { continue }
                config.environment.append((name, value))
            }
        } else if let node = f["env"] {
            d.error("env in \(what) must be a mapping of names to values, found \(node.kindDescription)", at: node.mark)
        }
        config.workdir = f["workdir"].flatMap { d.nonEmptyString($0, "workdir in \(what)") }
        config.timeout = f["timeout"].flatMap { d.duration($0, "timeout in \(what)") }
        config.concurrency = f["concurrency"].flatMap { d.int($0, "concurrency in \(what)", in: 1...10_000) }
        return config
    }

    public static var schema: JSON {
        SchemaPieces.object([
            ("command", ["type": "array", "items": ["type": "string"], "minItems": 1,
                         "description": "program and arguments; each is a template; never run through a shell"]),
            ("env", SchemaPieces.stringMap("extra environment variables; values are templates")),
            ("workdir", SchemaPieces.string("working directory")),
            ("timeout", SchemaPieces.duration),
            ("concurrency", SchemaPieces.integer("concurrent runs of this program", minimum: 1)),
        ], required: ["command"], description: summary)
    }
}
