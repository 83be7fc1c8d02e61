/// `harbinger send-test`: a synthetic event through one rule's actions, like Harbor's "Test Endpoint".
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Runner

struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send a synthetic push event through one rule's actions now and print each outcome.",
        discussion: """
            The event is a push of <registry>/harbinger/test:test with a zero digest, from the rule's first \
            when.source (or the first source declared). The actions run directly, in order, once each, \
            without the queue or retries; the chain stops at the first failure, as it would in the server. \
            Nothing is recorded in the delivery history. Exit status 0 when every action succeeded, 1 otherwise.
            """
    )

    @Option(help: "A rules file, or a directory of rules files.")
    var rules: String = "rules.example.yml"

    @Argument(help: "The rule whose actions to run.")
    var rule: String

    @Option(help: "The repository of the synthetic event.")
    var repository = "harbinger/test"

    @Option(help: "The tag of the synthetic event.")
    var tag = "test"

    func run() async throws {
        let set = try RulesLoader.loadOrExit(rules)
        guard let target = set.rules.first(where: { $0.name == rule }) else {
            printError("harbinger: no rule named '\(rule)'; rules: \(set.rules.map(\.name).joined(separator: ", "))\n")
            throw ExitCode(2)
        }
        let source = Self.sourceName(of: target.when).flatMap(set.source(named:)) ?? set.sources.first
        let now = SystemClock().now()
        var event = Event(source: source?.kind ?? .cloudevents, sourceName: source?.name ?? "send-test", type: .push,
                          registry: source?.registry ?? "registry.example.com", repository: repository, tag: tag,
                          digest: "sha256:" + String(repeating: "0", count: 64),
                          mediaType: "application/vnd.oci.image.manifest.v1+json", artifact: .image, size: 0,
                          actor: "harbinger send-test", occurredAt: rfc3339(millis: now))
        event = event.withStableID()
        let body = Array(event.json.serialized().utf8)
        let stored = StoredEvent(event: event, payload: body, contentType: "application/json", receivedAt: now)
        let plugins = ActionPlugins.standard(httpClient: HTTPClient.shared)
        let mask = SecretMask(set.sensitiveValues)
        var failed = false
        for (index, step) in target.actions.enumerated() {
            if failed && step.type != CallbackActionConfig.type { continue }
            var delivery = Delivery(id: DeliveryID.make(), eventID: event.id, rule: target.name, step: index,
                                    actionType: step.type, rulesVersion: 0, now: now, chainFailed: failed)
            delivery.attempts = 0
            guard let plugin = plugins.plugin(for: step.type) else {
                print("\(index): \(step.type) \(mask.apply(step.renderedTarget(for: event))): no plugin runs this action yet")
                failed = true
                continue
            }
            let timeout = step.config.timeout ?? target.timeout ?? set.defaults.timeout
            let outcome = await plugin.run(step.config, context: DeliveryContext(delivery: delivery, event: stored, rule: target, timeout: timeout))
            let verdict: String
            switch outcome.verdict {
            case .success: verdict = "ok"
            case .retry: verdict = "would retry"; failed = true
            case .failure: verdict = "failed"; failed = true
            }
            print("\(index): \(step.type) \(mask.apply(step.renderedTarget(for: event))): \(verdict), \(outcome.status) in \(outcome.duration.milliseconds)ms")
            if let excerpt = outcome.excerpt, !excerpt.isEmpty { print("   " + mask.apply(DeliveriesCommand.oneLine(excerpt, limit: 200))) }
        }
        if failed { throw ExitCode(1) }
    }

    /// The first source a condition names, if any.
    static func sourceName(of condition: Condition) -> String? {
        switch condition {
        case .match(.source(let names), _): return names.sorted().first
        case .all(let parts), .any(let parts): return parts.lazy.compactMap(sourceName).first
        case .not, .match: return nil
        }
    }
}
