/// The request context of Harbinger's HTTP server: Hummingbird's core storage plus the TCP peer's address.
import Hummingbird
import NIOCore
import Runner

/// A request context that remembers who connected, for `cidr` auth.
struct HookRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// The peer of the connection; nil when there is none (in-process router tests).
    let remoteAddress: SocketAddress?

    /// Creates the context for a request on `source.channel`.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address, when it has one.
    var peerAddress: IPAddress? {
        remoteAddress?.ipAddress.flatMap { IPAddress($0) }
    }
}
