/// `harbinger replicate`: one copy between registries with the `replicate` action's client, from the shell.
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Runner

struct ReplicateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Copy an image between registries now, digest for digest, as a replicate action would.",
        discussion: """
            SOURCE is host/repository:tag or host/repository@digest. DESTINATION is host/repository[:tag]; \
            without a tag it gets the source's tag, or only the digest when the source names one. An index \
            is copied with every child. Blobs the destination has are skipped, blobs on the same registry \
            are mounted, others stream through without being held in memory. Use it to try credentials \
            and options before writing them into a rule. Exit status 0 on success, 1 on failure.
            """
    )

    @Argument(help: "host/repository:tag or host/repository@digest")
    var source: String

    @Argument(help: "host/repository[:tag]")
    var destination: String

    @Flag(help: "Plain HTTP on both sides (loopback registries).")
    var insecure = false

    @Option(help: "A CA bundle to trust for HTTPS registries.")
    var caFile: String?

    @Option(help: "USER:PASSWORD for the source registry.")
    var srcCreds: String?

    @Option(help: "USER:PASSWORD for the destination registry.")
    var destCreds: String?

    @Option(help: "A docker config.json whose auths hold credentials per registry.")
    var dockerConfig: String?

    @Option(name: .customLong("platform"), help: "Copy only this platform of an index (os/arch[/variant]); repeatable.")
    var platforms: [String] = []

    @Flag(help: "Also copy the artifacts that refer to the image (signatures, SBOMs).")
    var referrers = false

    @Option(help: "Give up after this long (500ms, 2m, 1h).")
    var timeout = "10m"

    func validate() throws {
        guard Self.split(source)?.reference != nil else {
            throw ValidationError("SOURCE must be host/repository:tag or host/repository@digest")
        }
        guard Self.split(destination) != nil else { throw ValidationError("DESTINATION must be host/repository[:tag]") }
        for creds in [srcCreds, destCreds].compactMap({ $0 }) where !creds.contains(":") {
            throw ValidationError("credentials must be USER:PASSWORD")
        }
        _ = try parsedTimeout()
    }

    func run() async throws {
        let (from, sourceReference) = Self.split(source)!
        let reference = sourceReference ?? "latest"
        let (to, destinationTag) = Self.split(destination)!
        let sourceRepository = RegistryRepository(host: from.host, name: from.name, insecure: insecure)
        let destinationRepository = RegistryRepository(host: to.host, name: to.name, insecure: insecure)
        let tag = destinationTag ?? (reference.contains(":") ? nil : reference)
        var fromConfig: [String: Credentials] = [:]
        if let dockerConfig {
            do {
                fromConfig = try DockerConfig.load(path: dockerConfig)
            } catch {
                printError("harbinger: \(error)\n")
                throw ExitCode(2)
            }
        }
        // As in serve: a refused or failed connection fails the request at once; the client's own
        // bounded retries decide what happens next.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let logger = Logger(label: "harbinger.replicate")
        func client(_ host: String, _ creds: String?) -> RegistryClient {
            let byHost = creds.map { [host: Self.credentials($0)] } ?? [:]
            return RegistryClient(http: http, credentials: RegistryCredentials(byHost: byHost, dockerConfig: fromConfig),
                                  caFile: caFile, logger: logger)
        }
        let copier = ImageCopier(source: client(from.host, srcCreds), destination: client(to.host, destCreds))
        let request = ImageCopier.Request(source: sourceRepository, reference: reference, destination: destinationRepository,
                                          tag: tag, platforms: platforms, referrers: referrers)
        let deadline = NIODeadline.now() + .milliseconds(try parsedTimeout().milliseconds)
        let copy = { () async throws(OCIError) -> ImageCopier.Report in try await copier.copy(request, deadline: deadline) }
        let result: Result<ImageCopier.Report, OCIError>
        do {
            result = .success(try await copy())
        } catch {
            result = .failure(error)
        }
        try? await http.shutdown()
        switch result {
        case .success(let report):
            let target = tag.map { "\(destinationRepository):\($0)" } ?? "\(destinationRepository)@\(report.digest)"
            print(report.summary(target: target))
        case .failure(let error):
            printError("harbinger: replicate failed: \(error.message)\n")
            throw ExitCode(1)
        }
    }

    private func parsedTimeout() throws -> Duration {
        do {
            return try parseDuration(timeout)
        } catch {
            throw ValidationError("--timeout: \(error)")
        }
    }

    /// `host/repo:tag` → (host, repo) and `tag`; `host/repo@sha256:…` → the digest.
    static func split(_ text: String) -> (repository: (host: String, name: String), reference: String?)? {
        var rest = Substring(text)
        var reference: String?
        if let at = rest.firstIndex(of: "@") {
            reference = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        } else if let colon = rest.lastIndex(of: ":"), let slash = rest.lastIndex(of: "/"), colon > slash {
            reference = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex, rest.index(after: slash) != rest.endIndex,
              reference?.isEmpty != true else { return nil }
        return ((String(rest[..<slash]), String(rest[rest.index(after: slash)...])), reference)
    }

    static func credentials(_ text: String) -> Credentials {
        let colon = text.firstIndex(of: ":") ?? text.endIndex
        return Credentials(username: String(text[..<colon]), password: Secret(String(text[text.index(after: colon)...])))
    }
}
