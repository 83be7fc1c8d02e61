import Testing
import Version
@testable import RuleParser

struct SemverRangeTests {
    // Cases from node-semver's range-include fixtures (strict mode).
    @Test(arguments: [
        ("1.0.0 - 2.0.0", "1.2.3"), ("^1.2.3+build", "1.2.3"), ("^1.2.3+build", "1.3.0"),
        ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3"), ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2"),
        ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha"), ("1.2.3+asdf - 2.4.3+asdf", "1.2.3"),
        ("1.0.0", "1.0.0"), (">=*", "0.2.4"), ("*", "1.2.3"), (">=1.0.0", "1.0.0"), (">=1.0.0", "1.1.0"),
        (">1.0.0", "1.0.1"), ("<=2.0.0", "2.0.0"), ("<=2.0.0", "1.9999.9999"), ("<2.0.0", "0.2.9"),
        (">= 1.0.0", "1.0.0"), (">=  1.0.0", "1.0.1"), ("> 1.0.0", "1.0.1"), ("<    2.0.0", "0.2.9"),
        ("0.1.20 || 1.2.4", "1.2.4"), (">=0.2.3 || <0.0.1", "0.0.0"), (">=0.2.3 || <0.0.1", "0.2.4"),
        ("2.x.x", "2.1.3"), ("1.2.x", "1.2.3"), ("1.2.x || 2.x", "2.1.3"), ("1.2.x || 2.x", "1.2.3"),
        ("x", "1.2.3"), ("2.*.*", "2.1.3"), ("1.2.*", "1.2.3"), ("2", "2.1.2"), ("2.3", "2.3.1"),
        ("~0.0.1", "0.0.2"), ("~x", "0.0.9"), ("~2", "2.0.9"), ("~2.4", "2.4.5"), ("~>3.2.1", "3.2.2"),
        ("~1", "1.2.3"), ("~>1", "1.2.3"), ("~> 1", "1.2.3"), ("~1.0", "1.0.2"), ("~ 1.0.3", "1.0.12"),
        (">=1", "1.0.0"), ("<1.2", "1.1.1"), ("< 1.2", "1.1.1"), ("~v0.5.4-pre", "0.5.5"), ("~v0.5.4-pre", "0.5.4"),
        ("=0.7.x", "0.7.2"), ("<=0.7.x", "0.7.2"), (">=0.7.x", "0.7.2"), ("<=0.7.x", "0.6.2"),
        ("~1.2.1 >=1.2.3", "1.2.3"), ("~1.2.1 =1.2.3", "1.2.3"), ("~1.2.1 1.2.3 >=1.2.3", "1.2.3"),
        (">=1.2", "1.2.8"), ("^1.2.3", "1.8.1"), ("^0.1.2", "0.1.2"), ("^0.1", "0.1.2"), ("^0.0.1", "0.0.1"),
        ("^1.2", "1.4.2"), ("^1.2 ^1", "1.4.2"), ("^1.2.3-alpha", "1.2.3-pre"), ("^0.0.1-alpha", "0.0.1-beta"),
        ("^0.0.1-alpha", "0.0.1"), ("^x", "1.2.3"), ("^0.0.x", "0.0.7"), ("^0.x", "0.9.0"),
        ("x - 1.0.0", "0.9.7"), ("x - 1.x", "0.9.7"), ("1.0.0 - x", "1.9.7"), ("1.x - x", "1.9.7"),
        ("<=7.x", "7.9.9"), ("1.2.3 - 2.3", "2.3.9"), ("1.2 - 2.3.4", "1.2.0"),
        (">=1.2.0-rc.1", "1.2.0-rc.2"), ("v1.2.3", "1.2.3"), ("=v1.2.3", "1.2.3"),
    ])
    func rangeIncludesVersion(range: String, version: String) throws {
        let parsed = try SemverRange(range)
        let v = try #require(Version(version))
        #expect(parsed.contains(v))
    }

    // Cases from node-semver's range-exclude fixtures (strict mode).
    @Test(arguments: [
        ("1.0.0 - 2.0.0", "2.2.3"), ("1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2"), ("1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha"),
        ("^1.2.3+build", "2.0.0"), ("^1.2.3+build", "1.2.0"), ("^1.2.3", "1.2.3-pre"), ("^1.2", "1.2.0-pre"),
        (">1.2", "1.3.0-beta"), ("<=1.2.3", "1.2.3-beta"), ("^1.2.3", "1.2.3-beta"), ("=0.7.x", "0.7.0-asdf"),
        (">=0.7.x", "0.7.0-asdf"), ("<=0.7.x", "0.7.0-asdf"), ("1.0.0", "1.0.1"), (">=1.0.0", "0.0.1"),
        (">1.0.0", "0.1.0"), ("<=2.0.0", "3.0.0"), ("<=2.0.0", "2.9999.9999"), ("<2.0.0", "2.2.9"),
        (">=0.1.97", "0.1.93"), ("0.1.20 || 1.2.4", "1.2.3"), (">=0.2.3 || <0.0.1", "0.0.3"),
        ("2.x.x", "1.1.3"), ("2.x.x", "3.1.3"), ("1.2.x", "1.3.3"), ("1.2.x || 2.x", "3.1.3"),
        ("2.*.*", "1.1.3"), ("2", "1.1.2"), ("2.3", "2.4.1"), ("~0.0.1", "0.1.0-alpha"), ("~0.0.1", "0.1.0"),
        ("~2.4", "2.5.0"), ("~2.4", "2.3.9"), ("~>3.2.1", "3.3.2"), ("~>3.2.1", "3.2.0"), ("~1", "0.2.3"),
        ("~>1", "2.2.3"), ("~1.0", "1.1.0"), ("<1", "1.0.0"), (">=1.2", "1.1.1"), ("~v0.5.4-beta", "0.5.4-alpha"),
        ("=0.7.x", "0.8.2"), (">=0.7.x", "0.6.2"), ("<0.7.x", "0.7.2"), ("<1.2.3", "1.2.3-beta"),
        ("=1.2.3", "1.2.3-beta"), (">1.2", "1.2.8"), ("^0.0.1", "0.0.2-alpha"), ("^0.0.1", "0.0.2"),
        ("^1.2.3", "2.0.0-alpha"), ("^1.2.3", "1.2.2"), ("^1.2", "1.1.9"), ("*", "1.2.3-foo"), ("^1.0.0", "2.0.0-rc1"),
        ("^1.0.0 || ~2.0.1", "2.0.0"), ("^1.0.0 || ~2.0.1", "3.2.0"), ("^1.0.0 || ~2.0.1", "1.0.0-beta"),
        ("1 - 2", "2.0.0-pre"), ("1 - 2", "1.0.0-pre"), ("1.0 - 2", "1.0.0-pre"), ("1.1.x", "1.1.0-a"),
        ("1.x", "1.2.0-a"), (">=1.0.0 <1.1.0", "1.1.0"), (">=1.0.0 <1.1.0", "1.1.0-pre"),
        ("x - 1.0.0", "1.0.1"), ("x - 1.x", "2.0.0"), ("1.0.0 - x", "0.9.7"), ("<=7.x", "8.0.0"),
        (">*", "1.0.0"), ("<*", "1.0.0"), ("1.2.3 - 2.3", "2.4.0"), ("^0.0.x", "0.1.0"), ("^0.x", "1.0.0"),
        (">=1.2.0-rc.1", "1.3.0-rc.1"),
    ])
    func rangeExcludesVersion(range: String, version: String) throws {
        let parsed = try SemverRange(range)
        let v = try #require(Version(version))
        #expect(!parsed.contains(v))
    }

    @Test(arguments: [
        ("v1.4.0", true), ("V1.4.0", true), ("1.4.0", true), ("1.4.0+build.7", true), ("2.0.0", false),
        ("1.4.0-rc.1", false), ("latest", false), ("1.4", false), ("sha-abc", false), ("v1", false),
        ("01.4.0", false), ("1.4.0-", false), ("1.4.0-01", false), ("vv1.4.0", false), ("1.4.0.1", false),
        ("1.x.0", false), ("", false), (" 1.4.0", false), ("99999999999999999999.0.0", false),
    ])
    func tagsMatchOnlyWhenTheyAreFullSemver(tag: String, expected: Bool) throws {
        #expect(try SemverRange("^1.2").matches(tag: tag) == expected)
    }

    @Test func prereleaseTagsMatchRangesThatNameTheirPrerelease() throws {
        let range = try SemverRange(">=2.0.0-rc.1 <3")
        #expect(range.matches(tag: "v2.0.0-rc.2"))
        #expect(range.matches(tag: "v2.0.0-rc.10"))
        #expect(!range.matches(tag: "v2.0.0-beta"))
        #expect(!range.matches(tag: "v2.1.0-rc.1"))
        #expect(range.matches(tag: "v2.1.0"))
    }

    @Test(arguments: [
        ("", ValueError("empty semver range; write * to accept every version", offset: 0)),
        ("1.2.3 ||", ValueError("empty alternative around '||'", offset: 6)),
        ("|| 1.2.3", ValueError("empty alternative around '||'", offset: 0)),
        (">=1.2.a", ValueError("invalid version '1.2.a'", offset: 2)),
        (">= 1.2 <abc", ValueError("invalid version 'abc'", offset: 8)),
        ("=>1.2", ValueError("invalid operator in '=>1.2'; use >, >=, <, <=, =, ~ or ^", offset: 0)),
        ("1.2 -", ValueError("a hyphen range must look like '1.0 - 2.0'", offset: 4)),
        ("1 - 2 - 3", ValueError("a hyphen range must look like '1.0 - 2.0'", offset: 2)),
        ("1.x.3", ValueError("invalid version '1.x.3'; a number cannot follow a wildcard", offset: 0)),
        ("1.2.3.4", ValueError("invalid version '1.2.3.4'; a version has at most three numbers", offset: 0)),
        ("^01.2", ValueError("invalid version '01.2'; numbers have no leading zeros", offset: 1)),
        (
            "1.2-beta",
            ValueError("invalid version '1.2-beta'; only a full MAJOR.MINOR.PATCH version may have a prerelease or build", offset: 0)
        ),
        ("1.2.3-", ValueError("invalid version '1.2.3-'; empty identifier", offset: 0)),
        ("1.2.3 | 2", ValueError("invalid version '|'", offset: 6)),
        ("latest", ValueError("invalid version 'latest'", offset: 0)),
        ("99999999999999999999", ValueError("invalid version '99999999999999999999'; number too large", offset: 0)),
    ])
    func malformedRangesNameTheBadToken(text: String, error: ValueError) {
        #expect(throws: error) { try SemverRange(text) }
    }

    @Test func rangesCompareByTheirText() throws {
        #expect(try SemverRange("^1.2") == SemverRange("^1.2"))
        #expect(try SemverRange("^1.2") != SemverRange("^1.2.0"))
        #expect(try SemverRange(">= 1.2").description == ">= 1.2")
    }

    @Test(arguments: [
        ("1.0.0-alpha", "1.0.0-alpha.1"), ("1.0.0-alpha.1", "1.0.0-alpha.beta"), ("1.0.0-alpha.beta", "1.0.0-beta"),
        ("1.0.0-beta", "1.0.0-beta.2"), ("1.0.0-beta.2", "1.0.0-beta.11"), ("1.0.0-beta.11", "1.0.0-rc.1"),
        ("1.0.0-rc.1", "1.0.0"), ("1.0.0", "1.0.1"), ("1.9.0", "1.10.0"),
    ])
    func precedenceFollowsTheSemverSpec(lower: String, higher: String) throws {
        let a = try #require(Version(lower)), b = try #require(Version(higher))
        #expect(SemverComparator.compare(a, b) == -1)
        #expect(SemverComparator.compare(b, a) == 1)
        #expect(SemverComparator.compare(a, a) == 0)
    }
}
