/// `harbinger replay`, `pause` and `resume`: act on the delivery history and on rules.
import ArgumentParser
import Runner

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run deliveries again: they become pending, due now, with a fresh retry budget.",
        discussion: "A running server picks them up within a second. The same delivery id (webhook-id) is sent again, so receivers can tell a replay from a new event."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "Delivery ids, as 'harbinger deliveries' lists them.")
    var ids: [String]

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one delivery id") }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        let found = Set(try await store.replay(ids, now: SystemClock().now()))
        for id in ids {
            if found.contains(id) {
                print("replaying \(id)")
            } else if try await store.delivery(id: id)?.0.state == .running {
                // A replay would clear its lease, and a claim would start it a second time.
                print("delivery \(id) is running; replay it once it has finished")
            } else {
                print("no delivery \(id)")
            }
        }
        if found.count < ids.count { throw ExitCode(1) }
    }
}

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a rule: new events do not match it and its pending deliveries wait.",
        discussion: "Rules with disable_after pause themselves after that many failed deliveries in a row. The state is kept in the store; a running server sees it within a second."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The rule's name.")
    var rule: String

    @Option(help: "Why, for 'deliveries' and the logs.")
    var reason = "paused by hand"

    func run() async throws {
        let store = try await storeOptions.open()
        try await store.setPaused(rule: rule, paused: true, reason: reason, now: SystemClock().now())
        print("rule \(rule) paused")
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused rule: it matches new events again and its waiting deliveries run.",
        discussion: "Resuming also resets the rule's count of failures in a row."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The rule's name.")
    var rule: String

    func run() async throws {
        let store = try await storeOptions.open()
        try await store.setPaused(rule: rule, paused: false, reason: nil, now: SystemClock().now())
        _ = try await store.noteOutcome(rule: rule, failed: false)
        print("rule \(rule) resumed")
    }
}
