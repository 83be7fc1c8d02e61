import Foundation
import Testing
@testable import Runner

/// Runs one `harbor-replication` action against `receiver`, standing in for Harbor.
private func attempt(_ receiver: TestReceiver, policy: Int = 7) async throws -> AttemptOutcome {
    let (config, rule) = try ActionFixture.config("""
        harbor-replication: { url: "\(receiver.url)/", policy_id: \(policy), credentials: { username: "robot$ci", password: "t0ken" } }
        """, as: HarborReplicationActionConfig.self)
    let context = ActionFixture.context(rule: rule)
    return try await ActionFixture.withHTTPClient { client in
        await HarborReplicationAction(httpClient: client).run(config, context: context)
    }
}

@Test func harborReplicationPostsThePolicyToTheExecutionsAPIWithBasicAuth() async throws {
    let receiver = try TestReceiver(statuses: "201")
    defer { receiver.stop() }
    let outcome = try await attempt(receiver)
    #expect(outcome.verdict == .success)
    #expect(outcome.status == "HTTP 201")
    let request = try #require(try receiver.requests().first)
    #expect(request.method == "POST")
    #expect(request.path == "/api/v2.0/replication/executions")
    #expect(request.header("Authorization") == "Basic " + Data("robot$ci:t0ken".utf8).base64EncodedString())
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("webhook-id") == "dlv-42")
    #expect(try request.bodyObject() as NSDictionary == ["policy_id": 7] as NSDictionary)
}

@Test func harborReplicationAnswersFollowTheHTTPRetryRules() async throws {
    let receiver = try TestReceiver(statuses: "503,404")
    defer { receiver.stop() }
    let busy = try await attempt(receiver)
    #expect(busy.verdict == .retry(after: nil))
    #expect(busy.status == "HTTP 503")
    let missing = try await attempt(receiver)
    #expect(missing.verdict == .failure)
    #expect(missing.status == "HTTP 404")
}
