/// The `replicate` action: copies the event's image to another registry with Harbinger's own OCI client.
import AsyncHTTPClient
import Logging
import NIOCore
import Router

/// Runs `replicate` actions: a copy per push or scan event; with `mirror_deletes`, a delete per delete event.
public struct ReplicateAction: ActionPlugin {
    /// The options it runs.
    public typealias Config = ReplicateActionConfig

    private let httpClient: HTTPClient
    private let logger: Logger

    /// Creates the plugin over the server's shared `HTTPClient`.
    public init(httpClient: HTTPClient, logger: Logger = Logger(label: "harbinger.replicate")) {
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Makes one attempt: the whole copy, resumable because blobs already copied are skipped next time.
    public func run(_ config: ReplicateActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        let started = ContinuousClock.now
        var outcome: AttemptOutcome
        switch Self.plan(config, event: context.event.event) {
        case .failure(let problem):
            outcome = AttemptOutcome(.failure, status: problem.message)
        case .success(let plan):
            outcome = await execute(plan, config: config, context: context)
        }
        outcome.duration = ContinuousClock.now - started
        return outcome
    }

    /// Deliveries to one destination registry share its limit.
    public func concurrencyKey(_ config: ReplicateActionConfig, context: DeliveryContext) -> String {
        String(config.to.text.prefix { $0 != "/" })
    }

    /// The action's `concurrency`.
    public func concurrencyLimit(_ config: ReplicateActionConfig) -> Int? { config.concurrency }

    private func execute(_ plan: Plan, config: ReplicateActionConfig, context: DeliveryContext) async -> AttemptOutcome {
        let copier: ImageCopier
        do {
            copier = try makeCopier(config, plan: plan)
        } catch {
            return AttemptOutcome(.failure, status: error.message)
        }
        let deadline = NIODeadline.now() + .milliseconds(max(1, context.timeout.milliseconds))
        do {
            if plan.isDelete {
                guard config.mirrorDeletes else {
                    return AttemptOutcome(.success, status: "delete not mirrored (mirror_deletes is off)")
                }
                let reference = plan.tag ?? plan.reference
                return AttemptOutcome(.success, status: try await copier.delete(reference, in: plan.destination, deadline: deadline))
            }
            let report = try await copier.copy(plan.request(config), deadline: deadline)
            return AttemptOutcome(.success, status: Self.describe(report, plan: plan))
        } catch {
            logger.warning("replication failed", metadata: ["delivery": "\(context.delivery.id)", "error": "\(error.message)"])
            return AttemptOutcome(error.isRetryable ? .retry(after: nil) : .failure, status: error.message)
        }
    }

    private func makeCopier(_ config: ReplicateActionConfig, plan: Plan) throws(OCIError) -> ImageCopier {
        var fromConfig: [String: Credentials] = [:]
        if let path = config.dockerConfig {
            do {
                fromConfig = try DockerConfig.load(path: path)
            } catch {
                throw OCIError(error.description)
            }
        }
        var sourceHosts: [String: Credentials] = [:]
        sourceHosts[plan.source.host] = config.sourceCredentials
        var destinationHosts: [String: Credentials] = [:]
        destinationHosts[plan.destination.host] = config.credentials
        let source = RegistryClient(http: httpClient, credentials: RegistryCredentials(byHost: sourceHosts, dockerConfig: fromConfig),
                                    caFile: config.caFile, logger: logger)
        let destination = RegistryClient(http: httpClient,
                                         credentials: RegistryCredentials(byHost: destinationHosts, dockerConfig: fromConfig),
                                         caFile: config.caFile, logger: logger)
        return ImageCopier(source: source, destination: destination)
    }

    static func describe(_ report: ImageCopier.Report, plan: Plan) -> String {
        report.summary(target: plan.destination.description + (plan.tag.map { ":\($0)" } ?? "@\(report.digest)"))
    }
}
