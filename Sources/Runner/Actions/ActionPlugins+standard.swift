/// The plugins a server runs with out of the box.
import AsyncHTTPClient

extension ActionPlugins {
    /// Every action type of the rules language, the HTTP ones over the server's shared `httpClient`.
    public static func standard(httpClient: HTTPClient) -> ActionPlugins {
        var plugins = ActionPlugins()
        plugins.register(HTTPAction(httpClient: httpClient))
        plugins.register(ShellAction())
        plugins.register(ReplicateAction(httpClient: httpClient))
        plugins.register(HarborReplicationAction(httpClient: httpClient))
        plugins.register(CallbackAction(httpClient: httpClient))
        return plugins
    }
}
