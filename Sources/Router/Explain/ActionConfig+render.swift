/// What each action type is aimed at once a particular event fills its templates.

/// An action whose target can be rendered for an event (for `explain` and `test`).
public protocol RenderableAction: ActionConfig {
    /// The target with the event's values filled in, such as `POST https://host/path`.
    func renderedTarget(for event: Event) -> String
}

extension HTTPActionConfig: RenderableAction {
    public func renderedTarget(for event: Event) -> String { "\(method) \(url.render(event))" }
}

extension ShellActionConfig: RenderableAction {
    public func renderedTarget(for event: Event) -> String {
        command.map { ShellWords.quote($0.render(event)) }.joined(separator: " ")
    }
}

extension ReplicateActionConfig: RenderableAction {
    public func renderedTarget(for event: Event) -> String {
        let destination = to.render(event)
        if let tag = tag?.render(event) ?? event.tag, !tag.isEmpty { return "\(destination):\(tag)" }
        if let digest = event.digest { return "\(destination)@\(digest)" }
        return destination
    }
}

extension HarborReplicationActionConfig: RenderableAction {
    public func renderedTarget(for event: Event) -> String { "POST \(url.render(event))/api/v2.0/replication/executions policy \(policyID)" }
}

extension CallbackActionConfig: RenderableAction {
    public func renderedTarget(for event: Event) -> String { "POST \(event.callbackURL ?? "(the event has no callback_url)")" }
}

extension ActionStep {
    /// The step's target rendered for an event, or its unrendered target for unknown plugins.
    public func renderedTarget(for event: Event) -> String {
        (config as? any RenderableAction)?.renderedTarget(for: event) ?? config.target
    }
}

/// Shows an argv the way a reader would type it, without ever being run through a shell.
enum ShellWords {
    static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "-_./:=@%+,".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingAll("'", with: "'\\''") + "'"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
