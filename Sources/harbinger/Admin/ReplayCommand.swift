/// `harbinger replay`, `pause` and `resume`: act on the delivery history and on rules.
import ArgumentParser
import Runner

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run deliveries again: they become pending, due now, with a fresh retry budget.",
        discussion: """
            Name deliveries by id, or choose them with --state, --rule and --event: 'harbinger replay --rule notify' \
            replays that rule's failed and dead deliveries, after an outage say ('harbinger deliveries --state dead \
            --rule notify' lists the dead ones first). Running deliveries are never replayed.

            A running server picks them up within a second. The same delivery id (webhook-id) is sent again, so \
            receivers can tell a replay from a new event.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "Delivery ids, as 'harbinger deliveries' lists them.")
    var ids: [String] = []

    @Option(help: "Replay the deliveries in this state (without ids; default: failed and dead).")
    var state: Delivery.State?

    @Option(help: "Replay this rule's deliveries (without ids).")
    var rule: String?

    @Option(help: "Replay this event's deliveries (without ids).")
    var event: String?

    /// Whether deliveries are chosen by a filter rather than by id.
    private var filtering: Bool { state != nil || rule != nil || event != nil }

    func validate() throws {
        if ids.isEmpty && !filtering {
            throw ValidationError("give delivery ids, or choose deliveries with --state, --rule or --event")
        }
        if !ids.isEmpty && filtering {
            throw ValidationError("give delivery ids or --state/--rule/--event, not both")
        }
        if state == .running {
            throw ValidationError("running deliveries cannot be replayed; replay them once they have finished")
        }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        if filtering {
            try await replayMatching(in: store)
        } else {
            try await replayByID(in: store)
        }
    }

    private func replayByID(in store: any DeliveryStore) async throws {
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

    /// Replays every delivery the filter chooses; finding none is not an error (there was nothing to do).
    private func replayMatching(in store: any DeliveryStore) async throws {
        let states: [Delivery.State] = state.map { [$0] } ?? [.failed, .dead]
        var chosen: [String] = []
        for state in states {
            let query = DeliveryQuery(state: state, rule: rule, eventID: event, limit: Int(Int32.max))
            chosen += try await store.deliveries(query).map(\.id)
        }
        // Only those still in the chosen states: one that finished or started since the query is left alone.
        let replayed = try await store.replay(chosen, now: SystemClock().now(), onlyIn: states)
        var what = states.map(\.rawValue).joined(separator: " or ") + " deliveries"
        if let rule { what += " of rule \(rule)" }
        if let event { what += " of event \(event)" }
        if chosen.isEmpty {
            print("no \(what)")
            return
        }
        print("replaying \(replayed.count) \(what)")
        if replayed.count < chosen.count {
            print("\(chosen.count - replayed.count) of them changed state or were pruned meanwhile and were left alone")
        }
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
