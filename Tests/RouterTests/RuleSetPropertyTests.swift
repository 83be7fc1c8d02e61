import Testing
@testable import Router

/// The index must give the same answers as evaluating every rule, whatever the rules and events.
struct RuleSetPropertyTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    static let globs = ["shop/**", "shop/web*", "*/web", "team-{a,b}/**", "**", "shop/web", "shop/*/api", "sh?p/**", "other", "team-a/x"]
    static let repositories = ["shop/web", "shop/web/api", "shop/webshop", "team-a/x", "team-b/y/z", "other", "shop", "x/web", "shop/api"]
    static let tags = ["latest", "1.0.0", "v1.2.3", "2.0.0-rc.1", "0.9.0"]

    static func matcher(_ r: inout SplitMix) throws -> Condition {
        let mark = Mark(file: "t", line: 1, column: 1)
        switch r.next() % 6 {
        case 0, 1:
            var items: [StringPattern.Item] = [.glob(try Glob(r.pick(globs)))]
            if r.chance(30) { items.append(.glob(try Glob(r.pick(globs)))) }
            if r.chance(10) { items.append(.regex(try RegexPattern("shop/.*"))) }
            return .match(.field(.repository, StringPattern(items: items)), mark)
        case 2:
            let count = 1 + Int(r.next() % 3)
            return .match(.event(EventTypes((0..<count).map { _ in r.pick([EventType.push, .delete, .pull, .scanCompleted]) })), mark)
        case 3:
            return .match(.field(.tag, StringPattern(items: [.semver(try SemverRange(r.pick([">=1.0.0", "<1.0.0", "^1.0.0"])))])), mark)
        case 4:
            return .match(.field(.namespace, StringPattern(items: [.glob(try Glob(r.pick(["shop", "team-*"])))])), mark)
        default:
            return .match(.source([r.pick(["harbor", "hub"])]), mark)
        }
    }

    static func condition(_ r: inout SplitMix, depth: Int) throws -> Condition {
        guard depth < 3 else { return try matcher(&r) }
        switch r.next() % 5 {
        case 0: return .any(try (0..<(1 + Int(r.next() % 3))).map { _ in try condition(&r, depth: depth + 1) })
        case 1: return .not(try condition(&r, depth: depth + 1))
        case 2: return try matcher(&r)
        default: return .all(try (0..<Int(r.next() % 4)).map { _ in try condition(&r, depth: depth + 1) })
        }
    }

    @Test(arguments: 0..<20)
    func theIndexGivesTheSameAnswersAsAScan(seed: Int) throws {
        var r = SplitMix(state: UInt64(seed) &* 7919)
        let mark = Mark(file: "t", line: 1, column: 1)
        let step = ActionStep(config: ShellActionConfig(command: [try Template("/bin/true")]), mark: mark)
        let rules = try (0..<200).map { i in
            Rule(name: "r\(i)", description: nil, enabled: !r.chance(5), when: try Self.condition(&r, depth: 0),
                 actions: [step], stop: r.chance(3), retry: nil, timeout: nil, debounce: nil, disableAfter: nil, mark: mark)
        }
        let set = RuleSet(rules)
        var matchedSomething = 0
        for _ in 0..<300 {
            let event = Event(source: .harbor, sourceName: r.pick(["harbor", "hub"]),
                              type: r.pick([EventType.push, .delete, .pull, .scanCompleted, .replication]),
                              repository: r.pick(Self.repositories), tag: r.chance(80) ? r.pick(Self.tags) : nil)
            let indexed = set.route(event)
            #expect(indexed == set.routeByScanning(event), "\(event.type) \(event.repository)")
            if !indexed.isEmpty { matchedSomething += 1 }
        }
        #expect(matchedSomething > 0)
    }
}
