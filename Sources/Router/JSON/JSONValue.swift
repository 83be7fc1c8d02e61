/// A parsed JSON document: the form every source decoder reads payloads in.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

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

/// A JSON object's members in document order. A name given twice keeps its last value, as in a dictionary.
///
/// Lookups scan the members from the end: webhook objects have a handful of members, and hashing every
/// name into a dictionary cost more than the few reads a decoder makes. Each read is linear in the
/// object's size, never worse, so a hostile payload with many members costs what it takes to parse.
public struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The members as written, repeated names included.
    public private(set) var members: [(key: String, value: JSONValue)]

    /// An object of these members, in this order.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The value of the last member called `key`.
    public subscript(key: String) -> JSONValue? {
        var index = members.endIndex
        while index > members.startIndex {
            index -= 1
            if members[index].key == key { return members[index].value }
        }
        return nil
    }

    /// Each name once, with its last value.
    public var dictionary: [String: JSONValue] {
        Dictionary(members, uniquingKeysWith: { _, last in last })
    }

    public static func == (left: JSONObject, right: JSONObject) -> Bool {
        left.dictionary == right.dictionary
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dictionary)
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
