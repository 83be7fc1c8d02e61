import Foundation
import Logging
import NIOCore
import Testing
@testable import Runner

/// The registry client's own retries, against the recording receiver standing in for a registry.
@Test func aRegistryAnswering503IsAskedAgainWithinOneCall() async throws {
    let receiver = try TestReceiver(statuses: "503,503,200")
    defer { receiver.stop() }
    let repository = RegistryRepository(host: "127.0.0.1:\(receiver.port)", name: "shop/web", insecure: true)
    let status = try await ActionFixture.withHTTPClient { http in
        var client = RegistryClient(http: http, credentials: RegistryCredentials(), logger: Logger(label: "test"))
        client.retryPause = .milliseconds(10)
        let response = try await client.send(.GET, "\(repository.apiBase)/manifests/1.0", on: repository,
                                             access: .pull(repository), deadline: .now() + .seconds(120))
        await RegistryClient.discard(response)
        return Int(response.status.code)
    }
    #expect(status == 200)
    #expect(try receiver.requests().count == 3)
}

@Test func aRegistryThatKeepsFailingGivesARetryableErrorAfterTheBoundedTries() async throws {
    let receiver = try TestReceiver(statuses: "502")
    defer { receiver.stop() }
    let repository = RegistryRepository(host: "127.0.0.1:\(receiver.port)", name: "shop/web", insecure: true)
    let status = try await ActionFixture.withHTTPClient { http in
        var client = RegistryClient(http: http, credentials: RegistryCredentials(), logger: Logger(label: "test"))
        client.retryPause = .milliseconds(10)
        let response = try await client.send(.GET, "\(repository.apiBase)/manifests/1.0", on: repository,
                                             access: .pull(repository), deadline: .now() + .seconds(120))
        await RegistryClient.discard(response)
        return Int(response.status.code)
    }
    // The last answer is handed back for the caller to classify (5xx: retry the delivery later).
    #expect(status == 502)
    #expect(try receiver.requests().count == 3)
    #expect(OCIError.status(502, "GET x").isRetryable)
    #expect(!OCIError.status(401, "GET x").isRetryable)
}

@Test func aRefusedConnectionIsARetryableError() async throws {
    let refusing = try RefusingPort()
    let port = refusing.port
    let repository = RegistryRepository(host: "127.0.0.1:\(port)", name: "shop/web", insecure: true)
    let error = try await ActionFixture.withHTTPClient { http -> OCIError? in
        var client = RegistryClient(http: http, credentials: RegistryCredentials(), logger: Logger(label: "test"))
        client.retryPause = .milliseconds(10)
        do {
            let response = try await client.send(.GET, "\(repository.apiBase)/manifests/1.0", on: repository,
                                                 access: .pull(repository), deadline: .now() + .seconds(120))
            await RegistryClient.discard(response)
            return nil
        } catch {
            return error as? OCIError
        }
    }
    #expect(error?.isRetryable == true)
    #expect(error?.message == "connection refused on GET /v2/shop/web/manifests/1.0 to 127.0.0.1:\(port)")
    withExtendedLifetime(refusing) {}
}
