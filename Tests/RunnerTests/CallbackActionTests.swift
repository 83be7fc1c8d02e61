import Foundation
import Testing
@testable import Runner

/// Runs one `callback` action for an event whose callback_url points at `receiver`.
private func attempt(_ options: String, receiver: TestReceiver?, chainFailed: Bool = false) async throws -> AttemptOutcome {
    let (config, rule) = try ActionFixture.config("callback: " + options, as: CallbackActionConfig.self)
    var event = ActionFixture.event
    event.callbackURL = receiver.map { "\($0.url)/u/shop/web/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/" }
    let context = ActionFixture.context(rule: rule, event: event, chainFailed: chainFailed)
    return try await ActionFixture.withHTTPClient { client in
        await CallbackAction(httpClient: client).run(config, context: context)
    }
}

@Test func aSucceededChainPostsSuccessToTheCallbackURL() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    let outcome = try await attempt("""
        { context: "ci/{{tag}}", target_url: "https://ci.example.com/{{repository}}" }
        """, receiver: receiver)
    #expect(outcome.verdict == .success)
    #expect(outcome.status == "HTTP 200")
    let request = try #require(try receiver.requests().first)
    #expect(request.method == "POST")
    #expect(request.path == "/u/shop/web/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/")
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("webhook-id") == "dlv-42")
    let body = try request.bodyObject()
    #expect(body["state"] as? String == "success")
    #expect(body["context"] as? String == "ci/1.2.3")
    #expect(body["target_url"] as? String == "https://ci.example.com/shop/web")
    #expect(body["description"] as? String == "Every step of rule 'deploy' succeeded")
}

@Test func aFailedChainPostsFailure() async throws {
    let receiver = try TestReceiver(statuses: "200")
    defer { receiver.stop() }
    let outcome = try await attempt("{ description: \"rollout of {{image}}\" }", receiver: receiver, chainFailed: true)
    #expect(outcome.verdict == .success)
    let body = try #require(try receiver.requests().first).bodyObject()
    #expect(body["state"] as? String == "failure")
    #expect(body["description"] as? String == "rollout of registry.example.com/shop/web:1.2.3")
    #expect(body["context"] as? String == "Harbinger")
    #expect(body["target_url"] == nil)
}

@Test func anEventWithoutACallbackURLFails() async throws {
    let outcome = try await attempt("{}", receiver: nil)
    #expect(outcome.verdict == .failure)
    #expect(outcome.status == "no callback_url")
}

@Test func callbackAnswersFollowTheHTTPRetryRules() async throws {
    let receiver = try TestReceiver(statuses: "502,404")
    defer { receiver.stop() }
    let first = try await attempt("{}", receiver: receiver)
    #expect(first.verdict == .retry(after: nil))
    #expect(first.status == "HTTP 502")
    let second = try await attempt("{}", receiver: receiver)
    #expect(second.verdict == .failure)
    #expect(second.status == "HTTP 404")
}

@Test func theStandardPluginsRunHTTPShellAndCallback() async throws {
    try await ActionFixture.withHTTPClient { client in
        let plugins = ActionPlugins.standard(httpClient: client)
        for type in ["http", "shell", "callback"] {
            #expect(plugins.plugin(for: type)?.type == type)
        }
    }
}
