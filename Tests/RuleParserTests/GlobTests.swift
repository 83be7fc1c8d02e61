import Testing
@testable import RuleParser

struct GlobTests {
    @Test(arguments: [
        // Literals and single-segment wildcards.
        ("shop/web", "shop/web", true),
        ("shop/web", "shop/web2", false),
        ("shop/*", "shop/web", true),
        ("shop/*", "shop/", true),
        ("shop/*", "shop/web/api", false),
        ("*", "web", true),
        ("*", "shop/web", false),
        ("*x", "abx", true),
        ("*x", "x/x", false),
        ("shop/web*", "shop/web-frontend", true),
        ("*-api", "shop-api", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY/c", false),
        ("?", "a", true),
        ("?", "/", false),
        ("?", "", false),
        ("v?.?", "v1.2", true),
        ("caf?", "café", true),
        // `**`.
        ("**", "", true),
        ("**", "shop/web/api", true),
        ("shop/**", "shop/web", true),
        ("shop/**", "shop/web/api", true),
        ("shop/**", "shop", false),
        ("shop/**", "shopping/web", false),
        ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/b", true),
        ("a/**/b", "a/x/y/z/b", true),
        ("a/**/b", "a/xb", false),
        ("a/**/b", "ab", false),
        ("**/b", "b", true),
        ("**/b", "x/y/b", true),
        ("**/b", "xb", false),
        ("**/*-api", "team/shop-api", true),
        ("**/*-api", "shop-api", true),
        ("**/*-api", "team/shop-api/x", false),
        ("a**b", "a/x/b", true),
        ("a/**/**/b", "a/b", true),
        ("**/x/**", "a/x/b", true),
        ("**/x/**", "a/y/b", false),
        ("a/***/b", "a/b", true),
        // Classes.
        ("[abc]", "b", true),
        ("[abc]", "d", false),
        ("[a-z]x", "qx", true),
        ("[a-z]x", "Qx", false),
        ("[!a-z]x", "Qx", true),
        ("[^a-z]x", "qx", false),
        ("[!a]", "/", false),
        ("[a-]", "-", true),
        ("[\\]]", "]", true),
        ("[é-ü]", "ö", true),
        ("[é-ü]", "e", false),
        // Braces and escapes.
        ("shop/{web,api}", "shop/api", true),
        ("shop/{web,api}", "shop/db", false),
        ("{a,b{c,d}}x", "bdx", true),
        ("{a,b{c,d}}x", "bx", false),
        ("img{,-dev}", "img", true),
        ("img{,-dev}", "img-dev", true),
        ("{shop,team}/**", "team/a/b", true),
        ("a,b}", "a,b}", true),
        ("\\*", "*", true),
        ("\\*", "x", false),
        ("a\\{b,c}", "a{b,c}", true),
        ("", "", true),
        ("", "a", false),
    ])
    func globMatchesWholeNames(pattern: String, text: String, expected: Bool) throws {
        #expect(try Glob(pattern).matches(text) == expected)
    }

    @Test(arguments: [
        ("shop/web*", "shop/web"),
        ("shop/{a,b}", "shop/"),
        ("*x", ""),
        ("shop/web", "shop/web"),
        ("shop/**", "shop/"),
        ("a\\*b*", "a*b"),
        ("{shop,shopping}/x", "shop"),
        ("**/b", ""),
        ("{é1,é2}", "é"),
    ])
    func literalPrefixIsWhatEveryMatchStartsWith(pattern: String, prefix: String) throws {
        #expect(try Glob(pattern).literalPrefix == prefix)
    }

    @Test func literalGlobsAreThoseWithoutWildcards() throws {
        #expect(try Glob("shop/web").isLiteral)
        #expect(try Glob("a\\*b").isLiteral)
        #expect(try Glob("a\\*b").literalPrefix == "a*b")
        #expect(try Glob("").isLiteral)
        #expect(try !Glob("shop/*").isLiteral)
        #expect(try !Glob("{a}").isLiteral)
        #expect(try !Glob("[a]").isLiteral)
    }

    @Test(arguments: [
        ("shop/[a-z", ValueError("unclosed '['; write \\[ to match a literal '['", offset: 5)),
        ("shop/{a,b", ValueError("unclosed '{'; write \\{ to match a literal '{'", offset: 5)),
        ("x{a,{b}", ValueError("unclosed '{'; write \\{ to match a literal '{'", offset: 1)),
        ("a[]b", ValueError("empty character class '[]'", offset: 1)),
        ("a[!]b", ValueError("empty character class '[]'", offset: 1)),
        ("ab\\", ValueError("trailing backslash; write \\\\ to match a literal backslash", offset: 2)),
        ("[z-a]", ValueError("invalid range 'z-a' in character class", offset: 1)),
        ("é[", ValueError("unclosed '['; write \\[ to match a literal '['", offset: 1)),
    ])
    func malformedGlobsAreRejectedAtTheOffendingCharacter(pattern: String, error: ValueError) {
        #expect(throws: error) { try Glob(pattern) }
    }

    @Test func braceExpansionIsCappedAt256Alternatives() throws {
        let eight = String(repeating: "{a,b}", count: 8)
        #expect(try Glob(eight).matches("abababab"))
        #expect(throws: ValueError("more than 256 brace alternatives", offset: 40)) {
            try Glob(eight + "{a,b}")
        }
        let wide = "{" + (0...256).map(String.init).joined(separator: ",") + "}"
        #expect(throws: ValueError("more than 256 brace alternatives", offset: 0)) { try Glob(wide) }
    }

    @Test func globsAreEqualWhenTheirPatternsAre() throws {
        #expect(try Glob("a/*") == Glob("a/*"))
        #expect(try Glob("a/*") != Glob("a/**"))
        #expect(try Glob("a/*").description == "a/*")
    }

    /// Exponential backtracking would make this test hang rather than finish; its speed is
    /// measured in the benchmarks, not here.
    @Test func pathologicalPatternsGiveTheRightAnswer() throws {
        let longA = String(repeating: "a", count: 5_000)
        let deep = Array(repeating: "a", count: 500).joined(separator: "/")
        let cases: [(Glob, String, Bool)] = [
            (try Glob("*a*a*a*a*a*b"), longA, false),
            (try Glob("**a**a**a**a**a**b"), longA, false),
            (try Glob("**/a/**/a/**/a/**/b"), deep, false),
            (try Glob("**/a/**/a/**/a"), deep, true),
            (try Glob("{a,b}*{a,b}*{a,b}*c"), longA, false),
        ]
        for (glob, text, expected) in cases {
            #expect(glob.matches(text) == expected, "\(glob)")
        }
    }

    @Test func matchingAgreesWithARegexReference() throws {
        var random = SplitMix(seed: 42)
        let pieces = ["a", "b", "/", "*", "**", "?", "[ab]", "[!a]"]
        for _ in 0..<1_500 {
            let pattern = (0..<random.next(upTo: 7)).map { _ in pieces[random.next(upTo: pieces.count)] }.joined()
            let glob = try Glob(pattern)
            let regex = try Regex(referenceRegex(pattern))
            for _ in 0..<8 {
                let text = String((0..<random.next(upTo: 9)).map { _ in Array("ab/")[random.next(upTo: 3)] })
                let expected = (try? regex.wholeMatch(in: text)) != nil
                #expect(glob.matches(text) == expected, "pattern \(pattern) text \(text)")
            }
        }
    }

    @Test func matchesStringsThatAreNotNativelyContiguous() throws {
        let glob = try Glob("shop/**/api")
        let built = Substring("xshop/web/api").dropFirst()
        #expect(glob.matches(String(built)))
    }
}

/// The documented semantics, written independently as a regex over the brace-free test alphabet.
private func referenceRegex(_ pattern: String) -> String {
    let chars = Array(pattern)
    var out = "", i = 0
    while i < chars.count {
        let c = chars[i]
        if c == "*" {
            var run = 0
            while i < chars.count, chars[i] == "*" { run += 1; i += 1 }
            if run == 1 { out += "[^/]*"; continue }
            let afterSlash = out.isEmpty || chars[i - run - 1] == "/"
            if afterSlash && i < chars.count && chars[i] == "/" {
                out += "(?:.*/)?"
                i += 1
            } else {
                out += ".*"
            }
            continue
        }
        if c == "[" {
            let close = chars[i...].firstIndex(of: "]") ?? chars.count
            var body = String(chars[(i + 1)..<close])
            if body.hasPrefix("!") { body = "^" + body.dropFirst() }
            out += "(?!/)[\(body)]"
            i = close + 1
            continue
        }
        out += c == "?" ? "[^/]" : (c == "/" ? "/" : String(c))
        i += 1
    }
    return out
}

/// A small deterministic generator so failures reproduce.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(upTo bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
