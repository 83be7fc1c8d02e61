/// Typed reads from a JSON document that know their path, so every error names where it is.
public struct JSONCursor: Sendable {
    /// Where a value sits in its document: kept as parts, and spelled out only when someone asks
    /// (an error message), so reading a field costs no string building.
    private indirect enum Location: Sendable {
        case root(String)
        case member(Location, String)
        case item(Location, Int)

        /// The path as text, such as `event_data.resources[0]`.
        var text: String {
            switch self {
            case .root(let path): return path
            case .member(let parent, let key):
                let base = parent.text
                return base.isEmpty ? key : base + "." + key
            case .item(let parent, let index): return parent.text + "[\(index)]"
            }
        }
    }

    /// The value here.
    public let value: JSONValue
    private let location: Location
    /// The path from the document's root, such as `event_data.resources[0]`.
    public var path: String { location.text }

    /// A cursor at the root of a document.
    public init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.location = .root(path)
    }

    private init(_ value: JSONValue, at location: Location) {
        self.value = value
        self.location = location
    }

    /// Parses `bytes` and returns a cursor at the root.
    public static func parse(_ bytes: [UInt8]) throws(DecodeError) -> JSONCursor {
        JSONCursor(try JSONParser.parse(bytes))
    }

    private func child(_ key: String) -> String { Location.member(location, key).text }

    /// The member `key`, nil when it is missing or null. Not being an object is an error.
    public func optional(_ key: String) throws(DecodeError) -> JSONCursor? {
        guard case .object(let members) = value else { throw DecodeError(path: path, "expected an object, found \(value.typeName)") }
        guard let member = members[key] else { return nil }
        if case .null = member { return nil }
        return JSONCursor(member, at: .member(location, key))
    }

    /// The member `key`; missing or null is an error.
    public func required(_ key: String) throws(DecodeError) -> JSONCursor {
        guard let member = try optional(key) else { throw DecodeError(path: child(key), "is missing") }
        return member
    }

    /// The member at a dotted path (`event_data.repository.name`), nil when any step is missing.
    public func optional(path keys: String) throws(DecodeError) -> JSONCursor? {
        var cursor = self
        for key in keys.split(separator: ".") {
            guard let next = try cursor.optional(String(key)) else { return nil }
            cursor = next
        }
        return cursor
    }

    /// This value as a string.
    public func string() throws(DecodeError) -> String {
        guard case .string(let text) = value else { throw DecodeError(path: path, "expected a string, found \(value.typeName)") }
        return text
    }

    /// This value as a whole number (a numeric string is accepted too: some senders quote sizes).
    public func int() throws(DecodeError) -> Int64 {
        switch value {
        case .number(let n) where n.rounded() == n && abs(n) < 9.0e18: return Int64(n)
        case .string(let s): if let n = Int64(s) { return n }
        default: break
        }
        throw DecodeError(path: path, "expected a whole number, found \(value.typeName)")
    }

    /// This value as a boolean.
    public func bool() throws(DecodeError) -> Bool {
        guard case .bool(let b) = value else { throw DecodeError(path: path, "expected a boolean, found \(value.typeName)") }
        return b
    }

    /// This value as an array of cursors.
    public func array() throws(DecodeError) -> [JSONCursor] {
        guard case .array(let items) = value else { throw DecodeError(path: path, "expected an array, found \(value.typeName)") }
        return items.enumerated().map { JSONCursor($1, at: .item(location, $0)) }
    }

    /// This value's members, sorted by key so iteration is stable.
    public func members() throws(DecodeError) -> [(key: String, value: JSONCursor)] {
        guard case .object(let object) = value else { throw DecodeError(path: path, "expected an object, found \(value.typeName)") }
        let members = object.dictionary
        return members.keys.sorted().map { ($0, JSONCursor(members[$0] ?? .null, at: .member(location, $0))) }
    }

    /// The member `key` as a string, nil when missing or null.
    public func string(_ key: String) throws(DecodeError) -> String? { try optional(key)?.string() }
    /// The member `key` as a whole number, nil when missing or null.
    public func int(_ key: String) throws(DecodeError) -> Int64? { try optional(key)?.int() }
    /// The member `key` as a boolean, nil when missing or null.
    public func bool(_ key: String) throws(DecodeError) -> Bool? { try optional(key)?.bool() }
    /// The member `key` as a string; missing is an error.
    public func requiredString(_ key: String) throws(DecodeError) -> String { try required(key).string() }
}
