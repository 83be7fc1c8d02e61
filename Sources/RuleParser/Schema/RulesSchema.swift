/// The JSON Schema (draft 2020-12) of the rules file, built from the same vocabularies and action
/// plugins the decoder uses, for yaml-language-server and other editors.
public enum RulesSchema {
    private typealias P = SchemaPieces

    /// The schema document.
    public static var document: JSON {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://harbinger.dev/schema/rules-v1.json",
            "title": "Harbinger rules file",
            "description": "Routes container-registry events to HTTP calls, scripts and replications.",
            "type": "object",
            "properties": [
                "version": ["anyOf": [["const": 1], ["const": "1"]], "description": "the rules language version"],
                "sources": ["type": "array", "items": ["$ref": "#/$defs/source"]],
                "defaults": P.object([
                    ("retry", ["$ref": "#/$defs/retry"]),
                    ("timeout", P.duration),
                    ("concurrency", P.integer("concurrent deliveries per target", minimum: 1)),
                ]),
                "server": P.object([
                    ("listen", P.string("host:port to listen on")),
                    ("store", P.string("sqlite:PATH or postgres://...")),
                    ("max_body", P.size),
                    ("retention", [
                        "anyOf": [P.duration, ["const": "forever"]],
                        "description": "how long finished deliveries stay in the history (default 30d), or forever",
                    ]),
                ] + P.secret("admin_token", "bearer token for the admin API")),
                "rules": ["type": "array", "items": ["$ref": "#/$defs/rule"]],
            ],
            "additionalProperties": false,
            "$defs": definitions,
        ]
    }

    private static var definitions: JSON {
        .object([
            ("source", source),
            ("auth", auth),
            ("retry", P.object([
                ("attempts", P.integer("attempts, the first included", minimum: 1)),
                ("backoff", P.duration),
                ("max_backoff", P.duration),
            ])),
            ("rule", rule),
            ("step", step),
            ("condition", condition),
            ("pattern", pattern(semver: false)),
            ("tagPattern", pattern(semver: true)),
        ])
    }

    private static var source: JSON {
        P.object([
            ("name", ["type": "string", "pattern": "^[A-Za-z0-9._-]+$", "description": "the URL path is /hooks/<name>"]),
            ("kind", P.oneOf(SourceKind.allCases.map(\.rawValue), "the sender's payload format")),
            ("registry", P.string("registry host for image references when the payload lacks one")),
            ("auth", P.oneOrList(["$ref": "#/$defs/auth"])),
            ("include_blobs", P.boolean("keep blob and layer events")),
            ("trusted_proxies", P.oneOrList(["type": "string"])),
            ("max_body", P.size),
            ("description", P.string("free text")),
        ], required: ["name", "kind"])
    }

    private static var auth: JSON {
        ["oneOf": [
            P.object([("header", P.string("header name"))] + P.secret("value", "expected value"), required: ["header"]),
            P.object([("basic", P.credentials)], required: ["basic"]),
            ["anyOf": [
                P.object(P.secret("bearer", "expected bearer token"), required: ["bearer"]),
                P.object(P.secret("bearer", "expected bearer token"), required: ["bearer_file"]),
            ]],
            P.object([("query", P.string("query parameter name"))] + P.secret("value", "expected value"), required: ["query"]),
            P.object([
                ("hmac", P.oneOf(HMACAuth.Algorithm.allCases.map(\.rawValue), "digest algorithm")),
                ("header", P.string("header carrying the signature")),
                ("prefix", P.string("text before the hex digest, such as sha256=")),
            ] + P.secret("secret", "shared secret"), required: ["hmac", "header"]),
            P.object([("cidr", P.oneOrList(["type": "string"]))], required: ["cidr"]),
        ]]
    }

    private static var rule: JSON {
        P.object([
            ("name", ["type": "string", "minLength": 1, "description": "unique across the rules set"]),
            ("description", P.string("free text")),
            ("enabled", P.boolean("a disabled rule never matches")),
            ("when", ["$ref": "#/$defs/condition"]),
            ("do", ["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/step"]]),
            ("stop", P.boolean("later rules are not evaluated for an event this rule matched")),
            ("retry", ["$ref": "#/$defs/retry"]),
            ("timeout", P.duration),
            ("debounce", P.object([("key", P.string("template; events with equal keys collapse")), ("window", P.duration)],
                                  required: ["key", "window"])),
            ("disable_after", P.integer("pause the rule after this many failed deliveries in a row", minimum: 1)),
        ], required: ["name", "when", "do"])
    }

    private static var step: JSON {
        .object([("oneOf", .array(ActionRegistry.types.map { type in
            P.object([(type.type, type.schema)], required: [type.type], description: type.summary)
        }))])
    }

    private static var condition: JSON {
        let strings: [(String, JSON)] = StringField.allCases.map { field in
            (field.rawValue, ["$ref": .string(field == .tag ? "#/$defs/tagPattern" : "#/$defs/pattern")])
        }
        let levels = JSON.strings(Severity.allCases.map(\.name))
        let count: JSON = ["anyOf": [["type": "integer", "minimum": 0], ["type": "string", "pattern": "^ *(>=|<=|==|!=|>|<)? *[0-9]+ *$"]]]
        return .object([
            ("type", .array(["object", "null"])),
            ("properties", .object([
                ("source", P.oneOrList(["type": "string"])),
                ("event", P.oneOrList(["type": "string", "enum": .strings(EventType.allCases.map(\.rawValue))])),
                ("artifact", P.oneOrList(["type": "string", "enum": .strings(ArtifactKind.allCases.map(\.rawValue))])),
                ("severity", ["anyOf": [
                    ["type": "string", "enum": levels],
                    P.object([("at_least", ["enum": levels]), ("below", ["enum": levels])]),
                ]]),
                ("vulnerabilities", P.object(CountCondition.Counter.allCases.map { ($0.rawValue, count) })),
                ("size", P.object([("above", P.size), ("below", P.size)])),
                ("any", ["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/condition"]]),
                ("all", ["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/condition"]]),
                ("not", ["$ref": "#/$defs/condition"]),
            ] + strings)),
            ("additionalProperties", false),
        ])
    }

    private static func pattern(semver: Bool) -> JSON {
        var forms: [JSON] = [["type": ["string", "number"]], P.object([("regex", P.string("regular expression matched against the whole value"))], required: ["regex"])]
        if semver { forms.append(P.object([("semver", P.string("semver range such as >=1.0.0 <2.0.0"))], required: ["semver"])) }
        let one: JSON = ["anyOf": .array(forms)]
        return ["anyOf": [one, ["type": "array", "minItems": 1, "items": one]]]
    }
}
