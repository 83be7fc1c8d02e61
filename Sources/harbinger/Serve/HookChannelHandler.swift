/// `POST /hooks/<source>` answered in the connection's channel pipeline, on its event loop.
///
/// Hummingbird hands every request to an async task through `NIOAsyncChannel`, which costs about 20 µs of CPU
/// a request on this project's machines: more than everything Harbinger itself does to accept a webhook.
/// This handler sits in the HTTP/1 pipeline (`HookHTTP1Channel`), right after NIO's HTTP codec, and answers
/// the webhook endpoint itself: the head's checks, the body, decoding and routing run as the parts arrive, and
/// only a request with events to store leaves the event loop, for the store's group commit. Every other request
/// (the probes, `/metrics`, anything unknown) passes through to Hummingbird, which answers it as usual.
///
/// Requests on one connection are answered in order: while a webhook waits for the store, or while
/// Hummingbird still owes the answer of a request before it, later requests are held (and the socket is not
/// read), then handled in turn; a sender that closes its side meanwhile still gets the answers. A graceful
/// shutdown waits for a webhook in progress before the connection closes, `bodyTimeout` at most for its body.
import Foundation
import NIOCore
import NIOHTTP1
import Runner

final class HookChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        /// Between requests.
        case idle
        /// Passing a request's parts to Hummingbird.
        case forwarding
        /// Reading a webhook's body (`wait`, `body`).
        case reading(close: Bool)
        /// Answered before the end of the body (a refusal on the head, a body over the limit): the rest is dropped.
        case discarding
        /// The store is writing the webhook's events; the answer follows.
        case committing(close: Bool)
    }

    /// A part or a decoding error held back.
    private enum Held {
        case part(HTTPServerRequestPart)
        case error(any Error)
    }

    let responder: HookResponder
    var state = State.idle
    /// The webhook whose body is being read, and its body so far: kept out of `state`, so that adding a
    /// part neither copies the request's checks nor the body.
    var wait: HookResponder.BodyWait?
    var body: [UInt8] = []
    /// What arrived while a webhook was committing, or waits behind Hummingbird's answers.
    private var held = CircularBuffer<Held>()
    /// Requests passed to Hummingbird whose answers have not been written yet.
    private var forwardedUnanswered = 0
    /// A read asked for while parts were held or the channel was not writable, made once neither is so.
    private var readHeld = false
    /// A graceful shutdown's request to close, passed on once the webhook in progress is answered.
    var quiesceHeld = false
    /// A graceful shutdown's request was passed on: Hummingbird closes the connection after its answers.
    private var quiescePassed = false
    /// The sender closed its side while answers were owed; passed on once they are written.
    private var inputClosedHeld = false
    /// Answered with `close` before the body's end: the output is shut, and the rest of the body is read
    /// and dropped before the connection closes, so the sender reads the answer instead of a reset.
    var lingering = false
    /// Webhooks started so far and body parts read so far, for `stallCheck`.
    var bodyGeneration = 0
    var bodyParts = 0
    /// A check, `bodyTimeout` after the body being read was last waited for, that more of it came.
    var stallCheck: Scheduled<Void>?

    /// The webhook in progress is HTTP/1.0 and asked to keep the connection: its answer must say it does.
    private var keepsHTTP10Alive = false
    var isActive = true
    private var date = HTTPDate()

    /// How long a webhook's body may go without a part before it is answered 408 and the connection closes;
    /// also the longest a graceful shutdown waits for a body (then 503), and for the rest of a refused
    /// body when the connection closes after the answer.
    static let bodyTimeout = TimeAmount.seconds(20)

    init(responder: HookResponder) {
        self.responder = responder
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Closed, or closing after a refused body: only that body's parts are still read (and dropped).
        guard isActive || lingering else { return }
        let part = unwrapInboundIn(data)
        if isHolding {
            held.append(.part(part))
        } else {
            handle(part, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Hummingbird answers a malformed request with a 400: after the answers owed before it.
        if lingering {
            closeNow(context: context)
        } else if isHolding {
            held.append(.error(error))
        } else {
            context.fireErrorCaught(error)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent where isBusy:
            quiesceHeld = true
            // A body still on its way gets `bodyTimeout` from now, however it trickles in; one started later
            // (from parts held meanwhile) gets it from its start.
            restartStallCheck(context: context)
            return
        case is ChannelShouldQuiesceEvent:
            quiescePassed = true
        case let event as ChannelEvent where event == .inputClosed && isHolding:
            // Hummingbird would end the connection at once: the answers owed go out first.
            inputClosedHeld = true
            return
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // A read that ended inside a webhook's body: more of it must come within `bodyTimeout`.
        if isReadingBody { armStallCheck(context: context) }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        lingering = false
        stallCheck?.cancel()
        stallCheck = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isActive = false
        lingering = false
        stallCheck?.cancel()
        stallCheck = nil
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data) {
            // (Hummingbird also answers a malformed request it was never passed.)
            forwardedUnanswered = max(0, forwardedUnanswered - 1)
            if forwardedUnanswered == 0 { handleHeld(context: context) }
        }
    }

    func read(context: ChannelHandlerContext) {
        // Not while parts are held, nor while the answers written wait for the sender to read them: a sender
        // that pipelines requests and never reads cannot make the server queue answers without end.
        if isHolding || !context.channel.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    // MARK: Requests

    /// Parts wait while a webhook commits, and behind parts already waiting.
    private var isHolding: Bool {
        if case .committing = state { return true }
        return !held.isEmpty
    }

    /// A webhook's body is being read, or dropped after an early answer.
    var isReadingBody: Bool {
        switch state {
        case .reading, .discarding: true
        case .idle, .forwarding, .committing: false
        }
    }

    /// A webhook is in progress, or waits to be handled.
    private var isBusy: Bool {
        switch state {
        case .reading, .discarding, .committing: true
        case .idle, .forwarding: !held.isEmpty
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            guard let source = Self.hookSource(head) else {
                forwardedUnanswered += 1
                state = .forwarding
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            // Answers go out in order: this one waits for Hummingbird's answers to the requests before it.
            guard forwardedUnanswered == 0 else {
                held.append(.part(part))
                return
            }
            start(head, source: source, context: context)
        case (.forwarding, _):
            if case .end = part { state = .idle }
            context.fireChannelRead(wrapInboundOut(part))
        case (.reading(let close), .body(let buffer)):
            bodyParts &+= 1
            guard let limit = wait?.limit, buffer.readableBytes <= limit - body.count else {
                let refused = wait
                wait = nil
                body = []
                state = .discarding
                if let refused { send(responder.tooLarge(refused), close: close, context: context) }
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case (.reading(let close), .end):
            guard let request = wait else { return }
            let collected = body
            wait = nil
            body = []
            switch responder.finish(request, body: collected) {
            case .answer(let answer):
                state = .idle
                send(answer, close: close, context: context)
            case .commit(let commit):
                state = .committing(close: close)
                self.commit(commit, context: context)
            }
        case (.discarding, .end):
            state = .idle
            if lingering {
                closeNow(context: context)
            } else {
                finished(context: context)
            }
        case (.discarding, .body):
            bodyParts &+= 1
        case (.idle, .body), (.idle, .end), (.reading, .head), (.discarding, .head), (.committing, _):
            // The HTTP decoder delivers head, body, end in turn and nothing while a webhook commits.
            assertionFailure("unexpected \(part) in \(state)")
        }
    }

    private func start(_ request: HTTPRequestHead, source: Substring, context: ChannelHandlerContext) {
        bodyGeneration &+= 1
        let payload = Payload(body: [], headers: request.headers.map { (name: $0.name, value: $0.value) })
        let query = request.uri.firstIndex(of: "?").map { request.uri[request.uri.index(after: $0)...] }
        let head = HookResponder.Head(source: source, payload: payload, query: query,
                                      peer: context.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) })
        let close = !request.isKeepAlive
        keepsHTTP10Alive = !close && request.version == .http1_0
        // A sender that waits for `100 Continue` before its body (curl does for large ones) gets it once the head
        // passed; refused on its head, it may never send the body the parser expects, so the connection closes.
        // (An HTTP/1.0 sender never gets a 1xx answer: RFC 9110, 10.1.1.)
        let expectsContinue = (request.version.major, request.version.minor) >= (1, 1)
            && request.headers["expect"].contains { $0.lowercased() == "100-continue" }
        switch responder.start(head) {
        case .answer(let answer):
            state = .discarding
            send(answer, close: close || expectsContinue, context: context)
        case .readBody(let request):
            wait = request
            state = .reading(close: close)
            if expectsContinue {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
            }
        }
    }

    /// Runs the store's write off the event loop and answers on it.
    private func commit(_ commit: HookResponder.Commit, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let responder = self.responder
        Task {
            let answer = await responder.commit(commit)
            loop.execute {
                let (handler, context) = bound.value
                guard case .committing(let close) = handler.state else { return }
                handler.state = .idle
                handler.send(answer, close: close, context: context)
                handler.handleHeld(context: context)
            }
        }
    }

    /// Writes an answer; if the request was the last the sender wanted, closes the connection after it: at once
    /// when its body was read, else once the rest of the body was read and dropped (`lingering`), unless `abrupt`.
    func send(_ answer: HookAnswer, close: Bool, abrupt: Bool = false, context: ChannelHandlerContext) {
        guard isActive else { return }
        var headers = HTTPHeaders()
        headers.reserveCapacity(5)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(answer.json.utf8.count))
        headers.add(name: "Date", value: date.now())
        if let retryAfter = answer.retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        if close {
            headers.add(name: "Connection", value: "close")
        } else if keepsHTTP10Alive {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status.code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer.json)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if close {
            isActive = false
            if case .discarding = state, !abrupt {
                // Closing now, with the sender still writing its body, would reset the connection before it
                // read the answer: shut the output, drop the rest, close after it (or `bodyTimeout` at most).
                lingering = true
                context.close(mode: .output, promise: nil)
                restartStallCheck(context: context)
            } else {
                context.close(promise: nil)
            }
        } else if case .idle = state {
            finished(context: context)
        }
    }

    /// Closes the connection now, in whatever state.
    func closeNow(context: ChannelHandlerContext) {
        isActive = false
        lingering = false
        context.close(promise: nil)
    }

    /// After a webhook's last part and its answer: pass on a graceful shutdown that waited for it, and the
    /// end of the sender's input once every answer owed is written.
    private func finished(context: ChannelHandlerContext) {
        if quiesceHeld, !isBusy {
            quiesceHeld = false
            quiescePassed = true
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if inputClosedHeld, isActive, !isHolding {
            inputClosedHeld = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
    }

    /// Handles the parts held back, as far as nothing holds them again; then makes the read asked for meanwhile.
    private func handleHeld(context: ChannelHandlerContext) {
        // After a graceful shutdown's request, Hummingbird closes the connection once its answers are out:
        // what waited behind them is not started (a webhook would be stored and never answered). The sender
        // sees the connection close and sends them again.
        if quiescePassed, forwardedUnanswered == 0, !held.isEmpty, case .idle = state {
            held.removeAll()
            inputClosedHeld = false
            return
        }
        // Hummingbird's handler passes what it was given on at the end of a read: held parts are not in one.
        var passedOn = false
        defer { if passedOn { context.fireChannelReadComplete() } }
        while isActive || lingering, let next = held.first {
            if case .committing = state { return }
            switch next {
            case .part(let part):
                if case .idle = state, case .head(let head) = part, forwardedUnanswered > 0, Self.hookSource(head) != nil { return }
                held.removeFirst()
                if case .forwarding = state { passedOn = true }
                handle(part, context: context)
                if case .forwarding = state { passedOn = true }
            case .error(let error):
                held.removeFirst()
                context.fireErrorCaught(error)
            }
        }
        // A body started from held parts and not finished by them: nothing else waits for the rest.
        if isReadingBody { armStallCheck(context: context) }
        resumeReading(context: context)
        finished(context: context)
    }

    /// Makes the read asked for while parts were held or answers waited, once neither is the case.
    private func resumeReading(context: ChannelHandlerContext) {
        guard isActive || lingering, readHeld, !isHolding, context.channel.isWritable else { return }
        readHeld = false
        context.read()
    }

}
