/// A secret from the rules file, an environment variable or a `_file`; prints as `<secret>`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret's value; only the code that sends it should read it.
    public let value: String

    /// Wraps a value.
    public init(_ value: String) {
        self.value = value
    }

    /// Always `<secret>`, so secrets never reach logs or messages by accident.
    public var description: String { "<secret>" }
    /// Always `<secret>`.
    public var debugDescription: String { "<secret>" }
}

extension NodeDecoder {
    /// A secret given as `key` or as `key_file` (a file whose content, less a trailing newline, is the secret).
    /// Neither the value nor the file's content ever appears in an error message.
    public func secret(_ fields: Fields, _ key: String, required: Bool = false) -> Secret? {
        let fileKey = key + "_file"
        switch (fields[key], fields[fileKey]) {
        case (let node?, nil):
            guard let scalar = node.scalar, !scalar.isNull else {
                error("\(key) in \(fields.what) must be a string, found \(node.kindDescription)", at: node.mark)
                return nil
            }
            guard let value = substitute(scalar, at: node.mark) else { return nil }
            sensitiveValues.insert(value)
            return Secret(value)
        case (nil, let node?):
            guard let path = nonEmptyString(node, "\(fileKey) in \(fields.what)") else { return nil }
            guard let content = readFile(path, node.mark.file) else {
                error("cannot read \(fileKey) '\(path)'", at: node.mark)
                return nil
            }
            var value = content
            while value.last?.isNewline == true { value.removeLast() }
            sensitiveValues.insert(value)
            return Secret(value)
        case (let node?, _?):
            error("set either '\(key)' or '\(fileKey)' in \(fields.what), not both", at: node.mark)
            return nil
        case (nil, nil):
            if required { error("missing required key '\(key)' (or '\(fileKey)') in \(fields.what)", at: fields.node.mark) }
            return nil
        }
    }
}
