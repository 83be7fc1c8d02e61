/// Senders write `""` for "none": decoders read such strings as absent.
extension Optional where Wrapped == String {
    /// The string, or nil when it is missing or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
