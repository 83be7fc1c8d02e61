/// The body stall check of `HookChannelHandler`: a webhook's body must keep coming, and a graceful shutdown or a
/// lingering close waits `bodyTimeout` for it at most.
import NIOCore

extension HookChannelHandler {
    /// What a stall check was armed for: the webhook, its parts then, and whether a shutdown or a lingering
    /// close had begun (each gives the body `bodyTimeout` from its start, however the body trickles in).
    struct StallMark {
        let generation: Int
        let parts: Int
        let shuttingDown: Bool
        let lingering: Bool
    }

    /// Checks, `bodyTimeout` from now, that the webhook whose body is being read got another part meanwhile
    /// (unless a check is already due: one armed for an earlier body arms a new one when it is due).
    func armStallCheck(context: ChannelHandlerContext) {
        // (Not for a closed connection: closing the output of one whose input is closed closes it whole.)
        guard stallCheck == nil, isActive || lingering else { return }
        let mark = StallMark(generation: bodyGeneration, parts: bodyParts, shuttingDown: quiesceHeld, lingering: lingering)
        stallCheck = context.eventLoop.assumeIsolated().scheduleTask(in: Self.bodyTimeout) { [self] in
            stallCheck = nil
            checkStall(since: mark, context: context)
        }
    }

    /// Drops the check due and, if a body is being read, arms one from now.
    func restartStallCheck(context: ChannelHandlerContext) {
        stallCheck?.cancel()
        stallCheck = nil
        if isReadingBody { armStallCheck(context: context) }
    }

    /// A body that got no part since `mark` (or, during a shutdown or a lingering close, any part since it
    /// began) has taken too long: a webhook still unanswered gets 408, or 503 in a shutdown; then the
    /// connection closes. A check armed for an earlier webhook, or before the shutdown or the lingering
    /// close began, arms a new one instead.
    func checkStall(since mark: StallMark, context: ChannelHandlerContext) {
        guard isActive || lingering, isReadingBody else { return }
        let overdue = if mark.generation != bodyGeneration {
            false
        } else if lingering {
            mark.lingering
        } else if quiesceHeld {
            mark.shuttingDown
        } else {
            bodyParts == mark.parts
        }
        guard overdue else {
            armStallCheck(context: context)
            return
        }
        let seconds = Self.bodyTimeout.nanoseconds / 1_000_000_000
        if case .reading = state, let request = wait {
            wait = nil
            body = []
            state = .discarding
            let rejection = quiesceHeld ? HookRejection.shuttingDown(seconds: seconds) : .bodyTimeout(seconds: seconds)
            send(responder.refuse(request, rejection), close: true, abrupt: true, context: context)
        } else {
            closeNow(context: context)
        }
    }
}
