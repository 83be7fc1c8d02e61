/// Building blocks for the JSON Schema that `harbinger schema` prints.
public enum SchemaPieces {
    /// A closed object: unknown keys are rejected, as `check` rejects them.
    public static func object(_ properties: [(String, JSON)], required: [String] = [], description: String? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", "object")]
        if let description { members.append(("description", .string(description))) }
        members.append(("properties", .object(properties)))
        if !required.isEmpty { members.append(("required", .strings(required))) }
        members.append(("additionalProperties", false))
        return .object(members)
    }

    /// A string, with a description.
    public static func string(_ description: String) -> JSON {
        ["type": "string", "description": .string(description)]
    }

    /// One of a fixed list of strings.
    public static func oneOf(_ values: [String], _ description: String) -> JSON {
        ["type": "string", "enum": .strings(values), "description": .string(description)]
    }

    /// A value or a list of values of `item`.
    public static func oneOrList(_ item: JSON) -> JSON {
        ["anyOf": [item, ["type": "array", "items": item, "minItems": 1]]]
    }

    /// `500ms`, `2s`, `1h30m` (or a `${VAR}` reference).
    public static let duration: JSON = [
        "type": "string", "pattern": "^(([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+|.*\\$\\{.*)$",
        "description": "a duration with units: 500ms, 2s, 10m, 1h, 1h30m",
    ]

    /// `512KiB`, `1GB`, or a byte count.
    public static let size: JSON = [
        "anyOf": [
            ["type": "integer", "minimum": 0],
            ["type": "string", "pattern": "^([0-9]+(\\.[0-9]+)? *([kKmMgGtT]i?[bB]|[bB])?|.*\\$\\{.*)$"],
        ],
        "description": "a size: 512KiB, 1MB, 1GB, or bytes",
    ]

    /// `true` or `false`.
    public static func boolean(_ description: String) -> JSON {
        ["type": "boolean", "description": .string(description)]
    }

    /// A whole number of at least `minimum`.
    public static func integer(_ description: String, minimum: Int = 0) -> JSON {
        ["type": "integer", "minimum": .number(Double(minimum)), "description": .string(description)]
    }

    /// A secret `key` or its `key_file` form, never both.
    public static func secret(_ key: String, _ description: String) -> [(String, JSON)] {
        [(key, string(description)), (key + "_file", string("file holding the \(key)"))]
    }

    /// A mapping of names to strings.
    public static func stringMap(_ description: String) -> JSON {
        ["type": "object", "additionalProperties": ["type": "string"], "description": .string(description)]
    }

    /// `{username, password | password_file}`.
    public static let credentials: JSON = object(
        [("username", string("user name"))] + secret("password", "password or token"),
        required: ["username"])
}
