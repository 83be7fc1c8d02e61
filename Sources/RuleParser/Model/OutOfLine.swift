/// Settings most values leave unset, kept out of line so that a value stays small.

/// A set of settings that are usually all unset.
protocol RarelySet: Sendable {
    /// All unset.
    init()
    /// True when all are unset.
    var isEmpty: Bool { get }
}

/// `Fields` kept in a shared, immutable box, or nothing when all are unset: inline, such settings took
/// most of the size of a rule or an action config, which a server keeps for each of thousands of rules.
/// Copies share the box; a change makes a new one.
struct OutOfLine<Fields: RarelySet>: Sendable {
    private final class Box: Sendable {
        let fields: Fields

        init(_ fields: Fields) {
            self.fields = fields
        }
    }

    private var box: Box?

    /// Holds `fields` (nothing when all are unset).
    init(_ fields: Fields = Fields()) {
        box = fields.isEmpty ? nil : Box(fields)
    }

    /// The settings.
    var fields: Fields {
        get { box?.fields ?? Fields() }
        set { box = newValue.isEmpty ? nil : Box(newValue) }
    }
}
