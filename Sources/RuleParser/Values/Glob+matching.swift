// The compiled form of a glob and the matcher that runs it over UTF-8 bytes.

/// A `[...]` class: an ASCII bitmap for the common case, scalar ranges for the rest.
struct GlobCharacterClass: Sendable, Hashable {
    var asciiLow: UInt64 = 0
    var asciiHigh: UInt64 = 0
    var ranges: [ClosedRange<UInt32>] = []
    var isNegated = false

    mutating func insert(_ range: ClosedRange<UInt32>) {
        var value = range.lowerBound
        while value <= min(range.upperBound, 127) {
            if value < 64 { asciiLow |= 1 << UInt64(value) } else { asciiHigh |= 1 << UInt64(value - 64) }
            value += 1
        }
        if range.upperBound > 127 { ranges.append(max(range.lowerBound, 128)...range.upperBound) }
    }

    /// Whether `scalar` is in the class; callers have already ruled out '/'.
    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool {
        let member: Bool
        if scalar < 64 {
            member = asciiLow & (1 << UInt64(scalar)) != 0
        } else if scalar < 128 {
            member = asciiHigh & (1 << UInt64(scalar - 64)) != 0
        } else {
            member = ranges.contains { $0.contains(scalar) }
        }
        return member != isNegated
    }
}

/// One step of a compiled glob; literal bytes and classes live in side tables so the hot loop touches no references.
struct GlobOp: Sendable, Hashable {
    enum Kind: UInt8, Sendable {
        /// `count` bytes at `start` in the literal table.
        case literal
        /// `?`: one character other than '/'.
        case anyCharacter
        /// A class; `start` indexes the class table.
        case characterClass
        /// `*`: any run of characters other than '/'.
        case star
        /// `**` not between slashes: any run of characters.
        case globstar
        /// `**/` at the start or after a '/': zero or more whole segments, each with its trailing '/'.
        case segments
    }

    var kind: Kind
    var start: Int32 = 0
    var count: Int32 = 0
}

/// A brace-free glob compiled to a flat list of steps.
struct GlobProgram: Sendable, Hashable {
    private(set) var ops: [GlobOp] = []
    private(set) var literals: [UInt8] = []
    private(set) var classes: [GlobCharacterClass] = []

    /// Compiles one brace-free expansion.
    init(compiling items: [GlobAtom]) {
        var pending: [UInt8] = []
        var skipNextSlash = false
        for (position, item) in items.enumerated() {
            switch item {
            case .literal(let scalar):
                if skipNextSlash && scalar == "/" {
                    skipNextSlash = false
                    continue
                }
                pending.append(contentsOf: String(scalar).utf8)
            case .anyCharacter:
                flush(&pending)
                ops.append(GlobOp(kind: .anyCharacter))
            case .characterClass(let characterClass):
                flush(&pending)
                ops.append(GlobOp(kind: .characterClass, start: Int32(classes.count)))
                classes.append(characterClass)
            case .star:
                flush(&pending)
                if let last = ops.last?.kind, last == .star || last == .globstar { continue }
                ops.append(GlobOp(kind: .star))
            case .globstar:
                let afterSlash = position == 0 || Self.isSlash(items[position - 1])
                let beforeSlash = position + 1 < items.count && Self.isSlash(items[position + 1])
                flush(&pending)
                if afterSlash && beforeSlash {
                    ops.append(GlobOp(kind: .segments))
                    skipNextSlash = true
                } else if ops.last?.kind == .star {
                    ops[ops.count - 1].kind = .globstar
                } else if ops.last?.kind != .globstar {
                    ops.append(GlobOp(kind: .globstar))
                }
            }
        }
        flush(&pending)
    }

    private static func isSlash(_ item: GlobAtom) -> Bool {
        if case .literal("/") = item { return true }
        return false
    }

    private mutating func flush(_ pending: inout [UInt8]) {
        guard !pending.isEmpty else { return }
        ops.append(GlobOp(kind: .literal, start: Int32(literals.count), count: Int32(pending.count)))
        literals.append(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// The literal text every match starts with.
    var literalPrefix: String {
        guard let first = ops.first, first.kind == .literal else { return "" }
        let bytes = literals[Int(first.start)..<Int(first.start + first.count)]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when the program is one literal (or empty): no wildcards.
    var isLiteral: Bool { ops.isEmpty || (ops.count == 1 && ops[0].kind == .literal) }

    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        ops.withUnsafeBufferPointer { ops in
            literals.withUnsafeBufferPointer { literals in
                classes.withUnsafeBufferPointer { classes in
                    Self.run(ops, literals, classes, text)
                }
            }
        }
    }

    /// Greedy matching with one backtrack point per kind of star.
    ///
    /// Only the latest `*` and the latest `**` ever need retrying: a `*` cannot cross '/',
    /// so once it would have to, the segment is lost and only the latest `**` can help by
    /// starting the rest later. Leftmost placement between `**`s is always the best, so
    /// earlier `**`s never need retrying either. That keeps matching O(text × pattern).
    private static func run(
        _ ops: UnsafeBufferPointer<GlobOp>,
        _ literals: UnsafeBufferPointer<UInt8>,
        _ classes: UnsafeBufferPointer<GlobCharacterClass>,
        _ text: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let slash = UInt8(ascii: "/")
        let n = text.count
        var p = 0, t = 0
        var starP = -1, starT = 0
        var wideP = -1, wideT = 0, wideIsSegments = false
        while true {
            if p < ops.count {
                let op = ops[p]
                switch op.kind {
                case .literal:
                    let start = Int(op.start), count = Int(op.count)
                    if n - t >= count, equal(text, t, literals, start, count) {
                        t += count
                        p += 1
                        continue
                    }
                case .anyCharacter:
                    if t < n, text[t] != slash {
                        t += scalarLength(text, t)
                        p += 1
                        continue
                    }
                case .characterClass:
                    if t < n, text[t] != slash {
                        let length = scalarLength(text, t)
                        if classes[Int(op.start)].contains(scalarValue(text, t, length)) {
                            t += length
                            p += 1
                            continue
                        }
                    }
                case .star:
                    if p + 1 == ops.count {
                        if !contains(text, slash, from: t) { return true }
                        starP = -1
                    } else {
                        starP = p + 1
                        starT = t
                        p += 1
                        continue
                    }
                case .globstar:
                    if p + 1 == ops.count { return true }
                    wideP = p + 1
                    wideT = t
                    wideIsSegments = false
                    starP = -1
                    p += 1
                    continue
                case .segments:
                    wideP = p + 1
                    wideT = t
                    wideIsSegments = true
                    starP = -1
                    p += 1
                    continue
                }
            } else if t == n {
                return true
            }
            // Mismatch: let the latest `*` take one more character, else the latest `**`.
            if starP >= 0, starT < n, text[starT] != slash {
                starT += scalarLength(text, starT)
                t = starT
                p = starP
                continue
            }
            guard wideP >= 0, wideT < n else { return false }
            if wideIsSegments {
                var next = wideT
                while next < n, text[next] != slash { next += 1 }
                guard next < n else { return false }
                wideT = next + 1
            } else {
                wideT += scalarLength(text, wideT)
            }
            t = wideT
            p = wideP
            starP = -1
        }
    }

    @inline(__always)
    private static func equal(
        _ text: UnsafeBufferPointer<UInt8>, _ t: Int, _ literals: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int
    ) -> Bool {
        var i = 0
        while i < count {
            if text[t + i] != literals[start + i] { return false }
            i += 1
        }
        return true
    }

    @inline(__always)
    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ byte: UInt8, from start: Int) -> Bool {
        var i = start
        while i < text.count {
            if text[i] == byte { return true }
            i += 1
        }
        return false
    }

    /// The byte length of the UTF-8 scalar starting at `i`, clamped to the buffer.
    @inline(__always)
    private static func scalarLength(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let lead = text[i]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        return min(length, text.count - i)
    }

    @inline(__always)
    private static func scalarValue(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ length: Int) -> UInt32 {
        let lead = UInt32(text[i])
        guard length > 1 else { return lead }
        var value = lead & (0xFF >> UInt32(length + 1))
        for k in 1..<length { value = value << 6 | UInt32(text[i + k] & 0x3F) }
        return value
    }
}
