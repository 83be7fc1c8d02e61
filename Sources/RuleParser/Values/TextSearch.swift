/// Substring search over UTF-8 bytes: the loader calls it for every value, and Foundation's
/// `contains`/`range(of:)` bridge through CFString on Linux.
extension StringProtocol {
    /// True when `needle` occurs in the text (byte-wise, so no Unicode normalisation).
    func includes(_ needle: String) -> Bool {
        utf8Offset(of: needle) != nil
    }

    /// The UTF-8 offset of the first occurrence of `needle`.
    ///
    /// The needles are short literals and this runs for every scalar of a rules file, so it searches
    /// the UTF-8 in place (as a buffer when the text is a native string) instead of copying both
    /// sides into arrays.
    func utf8Offset(of needle: String) -> Int? {
        if let offset = utf8.withContiguousStorageIfAvailable({ Self.offset(of: needle, in: $0) }) {
            return offset
        }
        let pattern = needle.utf8
        guard let first = pattern.first else { return 0 }
        let bytes = utf8
        var offset = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == first, Self.hasPrefix(pattern, in: bytes, at: index) { return offset }
            bytes.formIndex(after: &index)
            offset += 1
        }
        return nil
    }

    /// The offset of `needle` in contiguous UTF-8 `bytes` (native strings), without index arithmetic.
    private static func offset(of needle: String, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var needle = needle
        return needle.withUTF8 { pattern -> Int? in
            guard let first = pattern.first else { return 0 }
            guard bytes.count >= pattern.count else { return nil }
            for start in 0...(bytes.count - pattern.count) where bytes[start] == first {
                if UnsafeBufferPointer(rebasing: bytes[start..<start + pattern.count]).elementsEqual(pattern) { return start }
            }
            return nil
        }
    }

    /// True when the bytes from `start` on begin with all of `pattern`.
    private static func hasPrefix(_ pattern: String.UTF8View, in bytes: UTF8View, at start: UTF8View.Index) -> Bool {
        var index = start
        for byte in pattern {
            guard index != bytes.endIndex, bytes[index] == byte else { return false }
            bytes.formIndex(after: &index)
        }
        return true
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
