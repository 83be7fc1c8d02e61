/// Substring search over UTF-8 bytes: the loader calls it for every value, and Foundation's
/// `contains`/`range(of:)` bridge through CFString on Linux.
extension StringProtocol {
    /// True when `needle` occurs in the text (byte-wise, so no Unicode normalisation).
    func includes(_ needle: String) -> Bool {
        utf8Offset(of: needle) != nil
    }

    /// The UTF-8 offset of the first occurrence of `needle`.
    func utf8Offset(of needle: String) -> Int? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return 0 }
        let bytes = Array(utf8)
        guard bytes.count >= pattern.count else { return nil }
        var index = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

extension Substring {
    /// The range of the first occurrence of `needle`; a Foundation-free `range(of:)`.
    func range(of needle: String) -> Range<Index>? {
        guard let offset = utf8Offset(of: needle) else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        let end = utf8.index(start, offsetBy: needle.utf8.count)
        return start..<end
    }
}
