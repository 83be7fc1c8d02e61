/// What a `replicate` action will do for one event, worked out before any request.
import Router

extension ReplicateAction {
    /// Source, destination and references of one replication.
    struct Plan: Sendable {
        var source: RegistryRepository
        /// The source digest when the event has one (the exact artifact), else its tag.
        var reference: String
        var destination: RegistryRepository
        /// The destination tag; nil copies by digest only.
        var tag: String?
        var isDelete: Bool

        func request(_ config: ReplicateActionConfig) -> ImageCopier.Request {
            ImageCopier.Request(source: source, reference: reference, destination: destination, tag: tag,
                                platforms: config.platforms, referrers: config.referrers)
        }
    }

    /// The plan for `event`, or why there can be none (a failure: retrying cannot fix the event).
    static func plan(_ config: ReplicateActionConfig, event: Event) -> Result<Plan, RequestProblem> {
        guard let registry = event.registry, !registry.isEmpty else {
            return .failure(RequestProblem("the event names no registry host; set registry: on source '\(event.sourceName)'"))
        }
        let rendered = config.to.render(event)
        guard let destination = RegistryRepository(reference: rendered, insecure: config.insecure),
              Self.isRepositoryName(destination.name) else {
            return .failure(RequestProblem("'to' rendered to '\(rendered)', which is not host/repository"))
        }
        let source = RegistryRepository(host: registry, name: event.repository, insecure: config.insecure)
        let tag = (config.tag?.render(event) ?? event.tag).flatMap { $0.isEmpty ? nil : $0 }
        if let tag, !isTag(tag) {
            return .failure(RequestProblem("the destination tag '\(tag)' is not a valid tag"))
        }
        guard let reference = event.digest ?? event.tag else {
            return .failure(RequestProblem("the event has neither a digest nor a tag to copy"))
        }
        return .success(Plan(source: source, reference: reference, destination: destination, tag: tag,
                             isDelete: event.type == .delete))
    }

    /// The distribution spec's repository name grammar: lowercase path components of `[a-z0-9]` runs
    /// joined by `.`, `_`, `__` or `-`s. Checked here because a rendered template may hold anything.
    static func isRepositoryName(_ name: String) -> Bool {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        return !components.isEmpty && components.allSatisfy { component in
            guard let first = component.first, let last = component.last,
                  first.isLowercaseAlphanumeric, last.isLowercaseAlphanumeric else { return false }
            return component.allSatisfy { $0.isLowercaseAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    static func isTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, first.isASCIIWord else { return false }
        return tag.allSatisfy { $0.isASCIIWord || $0 == "." || $0 == "-" }
    }
}

extension Character {
    fileprivate var isLowercaseAlphanumeric: Bool { ("a"..."z").contains(self) || ("0"..."9").contains(self) }
    fileprivate var isASCIIWord: Bool { isLowercaseAlphanumeric || ("A"..."Z").contains(self) || self == "_" }
}
