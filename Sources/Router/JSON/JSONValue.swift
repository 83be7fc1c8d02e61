/// A parsed JSON document: the form every source decoder reads payloads in.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type's name, for "expected a string, found a number" messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A payload that is not what its sender's format says: the JSON path and what was expected.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the payload, such as `event_data.resources[0].digest` (empty for the whole body).
    public let path: String
    /// What is wrong, such as `expected a string`.
    public let message: String
    /// True when the payload is well formed but of a kind Harbinger does not route (a ping, a build
    /// event): the sender should get a success answer, not an error it may retry or disable the hook over.
    public let isUnsupported: Bool

    /// Creates an error at a path.
    public init(path: String, _ message: String) {
        self.init(path: path, message, unsupported: false)
    }

    private init(path: String, _ message: String, unsupported: Bool) {
        self.path = path
        self.message = message
        self.isUnsupported = unsupported
    }

    /// A well-formed payload of a kind that is not routed.
    public static func unsupported(path: String, _ message: String) -> DecodeError {
        DecodeError(path: path, message, unsupported: true)
    }

    /// `path: message`, or the message alone for the whole body.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
