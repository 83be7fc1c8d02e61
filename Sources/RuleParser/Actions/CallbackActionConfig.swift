/// `callback`: answer a Docker Hub webhook chain at the event's callback_url.
public struct CallbackActionConfig: ActionConfig {
    public static let type = "callback"
    public static let summary = "Post success or failure of the earlier steps to a Docker Hub event's callback_url."

    /// `description` sent to Docker Hub (a template).
    public var description: Template?
    /// `context` sent to Docker Hub (a template).
    public var context: Template?
    /// `target_url` sent to Docker Hub (a template).
    public var targetURL: Template?

    public var target: String { "{{callback_url}}" }

    public static func decode(_ node: Node, decoder d: NodeDecoder, context: ActionContext) -> CallbackActionConfig? {
        let what = context.describe(type)
        if case .scalar(let scalar) = node.content, scalar.isNull { return CallbackActionConfig() }
        guard let f = d.fields(node, what, keys: ["description", "context", "target_url"]) else { return nil }
        var config = CallbackActionConfig()
        config.description = f["description"].flatMap { d.template($0, "description in \(what)") }
        config.context = f["context"].flatMap { d.template($0, "context in \(what)") }
        config.targetURL = f["target_url"].flatMap { d.template($0, "target_url in \(what)") }
        return config
    }

    public static var schema: JSON {
        ["anyOf": [
            ["type": "null"],
            SchemaPieces.object([
                ("description", SchemaPieces.string("description template")),
                ("context", SchemaPieces.string("context template")),
                ("target_url", SchemaPieces.string("target_url template")),
            ], description: summary),
        ]]
    }
}
