/// `harbinger deliveries`: the delivery history, newest first.
import ArgumentParser
import Foundation
import Runner

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List deliveries with their state, attempts, last status, duration and an excerpt of the response or output.",
        discussion: """
            States: pending (waiting for an attempt), running, succeeded, failed (not worth retrying: a 4xx, \
            an exit code other than 75), dead (every attempt failed). Paused rules are listed first. \
            Use 'harbinger replay ID...' to run deliveries again.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only deliveries in this state: pending, running, succeeded, failed, dead.")
    var state: Delivery.State?

    @Option(help: "Only this rule's deliveries.")
    var rule: String?

    @Option(help: "Only this event's deliveries.")
    var event: String?

    @Option(help: "At most this many.")
    var limit = 50

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    @Option(help: "Show one delivery with every attempt: status, duration, response excerpt and a script's output.")
    var id: String?

    func run() async throws {
        let store = try await storeOptions.open()
        if let id {
            try await show(id, store: store)
            return
        }
        let paused = try await store.pausedRules()
        let rows = try await store.deliveries(DeliveryQuery(state: state, rule: rule, eventID: event, limit: limit))
        if json {
            for delivery in rows { print(delivery.json(paused: paused[delivery.rule]).serialized()) }
            return
        }
        for name in paused.keys.sorted() where rule == nil || rule == name {
            print("rule \(name) is PAUSED: \(paused[name] ?? ""); 'harbinger resume \(name)' resumes it")
        }
        guard !rows.isEmpty else {
            print("no deliveries")
            return
        }
        let header = ["ID", "STATE", "RULE", "ACTION", "ATTEMPTS", "LAST STATUS", "DURATION", "UPDATED", "EXCERPT"]
        let table = rows.map { d in
            [d.id, d.state.rawValue + (paused[d.rule] != nil && d.state == .pending ? " (paused)" : ""), d.rule,
             "\(d.step):\(d.actionType)", "\(d.attempts)", d.lastStatus ?? "-", d.lastDurationMillis.map { "\($0)ms" } ?? "-",
             rfc3339(millis: d.updatedAt), Self.oneLine(d.excerpt ?? "", limit: 60)]
        }
        print(Self.format([header] + table))
    }

    /// One delivery and its attempts, for `--id`.
    func show(_ id: String, store: any DeliveryStore) async throws {
        guard let (delivery, attempts) = try await store.delivery(id: id) else {
            printError("harbinger: no delivery \(id)\n")
            throw ExitCode(1)
        }
        print("delivery \(delivery.id): \(delivery.state.rawValue), rule \(delivery.rule) step \(delivery.step) (\(delivery.actionType)), event \(delivery.eventID)")
        if delivery.state == .pending { print("next attempt at \(rfc3339(millis: delivery.nextAttemptAt))") }
        for attempt in attempts {
            print("attempt \(attempt.number) at \(rfc3339(millis: attempt.startedAt)): \(attempt.status) (\(attempt.verdict)) in \(attempt.durationMillis)ms")
            if let output = attempt.output {
                print(output.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
            } else if let excerpt = attempt.excerpt, !excerpt.isEmpty {
                print("  " + excerpt)
            }
        }
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    static func format(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

extension Delivery.State: ExpressibleByArgument {}

extension Delivery {
    /// The delivery as a JSON object for `deliveries --json`.
    func json(paused: String?) -> JSON {
        .object([
            ("id", .string(id)), ("event_id", .string(eventID)), ("rule", .string(rule)), ("step", .number(Double(step))),
            ("action", .string(actionType)), ("state", .string(state.rawValue)), ("attempts", .number(Double(attempts))),
            ("last_status", lastStatus.map { .string($0) } ?? .null),
            ("duration_ms", lastDurationMillis.map { .number(Double($0)) } ?? .null),
            ("excerpt", excerpt.map { .string($0) } ?? .null),
            ("next_attempt_at", .string(rfc3339(millis: nextAttemptAt))), ("created_at", .string(rfc3339(millis: createdAt))),
            ("updated_at", .string(rfc3339(millis: updatedAt))), ("rule_paused", paused.map { .string($0) } ?? .null),
        ])
    }
}
