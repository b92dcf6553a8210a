import Logging
import NIOCore
import NIOHTTP1
import OwnThreads

/// Screens the first request of a connection before NIO's upgrade handler sees it, so that a
/// refused WebSocket upgrade gets the same 403 as any other refused request.
///
/// hummingbird-websocket (2.8.1) answers every upgrade its router declines with a hard-coded,
/// empty `400` (`HTTP1WebSocketUpgradeChannel.writeFailedUpgrade`). So an upgrade that
/// `RequestGate.screen` refuses (foreign `Host`, non-allowed `Origin`, several `Origin`s) is
/// not declined: it is turned into a plain HTTP request - `Upgrade` removed, `Connection:
/// close` set - which NIO never upgrades (no `101`, no WebSocket, the card is never reached)
/// and the HTTP router's `SecurityMiddleware` answers with the protocol's 403 and JSON error,
/// CORS and `Vary` included, then the connection closes. Both make the same `screen` call, so
/// they agree; if they ever did not, the request would still be plain HTTP, and `/v1/ws` is no
/// HTTP route.
///
/// Upgrades that pass go on untouched; the WebSocket router's own `SecurityMiddleware` checks
/// them again. NIO upgrades the first request of a connection only; a later request that
/// asks for an upgrade would reach hummingbird-websocket's fallback, which answers a `307` to
/// the request's own target before any router or middleware (no Host or Origin check). So
/// every later request loses its `Upgrade` header here and is routed, and screened, as the
/// plain HTTP request it is. Once a first request's upgrade has passed the screen, everything
/// is passed through untouched (WebSocket frames follow, or hummingbird-websocket closes the
/// connection after a declined upgrade); the one case left unscreened, an upgrade NIO cannot
/// complete for an allowed origin followed by pipelined requests on the same connection, is
/// not one a browser can produce, and never upgrades or reaches the card.
///
/// It also keeps the connection's two deadlines, on `DeadlineTimer` rather than the event loop
/// (a cancelled NIO timer still wakes its loop once: BENCHMARKS.md, "wake-ups"): the first
/// request head within `headerTimeout`, and, between plain HTTP requests, at most
/// `idleTimeout` of silence (kept-alive connections; Hummingbird's own idle timeout is off).
final class UpgradeScreen: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let gate: RequestGate
    private let logger: Logger
    private let headerTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var idleDeadline: DeadlineTimer.Handle?
    /// Plain HTTP requests whose response has not ended yet: the idle time starts at 0.
    private var unanswered = 0
    /// Called once, when the first request head has arrived.
    private let onFirstRequest: @Sendable () -> Void
    private var headerDeadline: DeadlineTimer.Handle?
    /// Where the connection is: before its first request, serving plain HTTP requests, or
    /// handed over to NIO's upgrade (a WebSocket then, with raw frames flowing through here,
    /// or closed after a declined upgrade: hummingbird-websocket closes those).
    private enum Phase { case first, http, upgrading }
    private var phase = Phase.first

    /// - Parameters:
    ///   - headerTimeout: how long the connection has to send its first complete request
    ///     head; a connection still silent then is closed (a socket held open without a word
    ///     must not keep a place among the connections).
    ///   - idleTimeout: how long a plain HTTP connection may stay silent once its requests are
    ///     answered.
    ///   - onFirstRequest: told when the first request head has arrived.
    init(gate: RequestGate, headerTimeout: TimeAmount, idleTimeout: TimeAmount, logger: Logger,
         onFirstRequest: @escaping @Sendable () -> Void = {}) {
        self.gate = gate
        self.logger = logger
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.onFirstRequest = onFirstRequest
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = logger
        let timeout = headerTimeoutText
        headerDeadline = DeadlineTimer.shared.schedule(after: .nanoseconds(headerTimeout.nanoseconds)) {
            logger.debug("connection closed: no request head within \(timeout)")
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headerDeadline?.cancel()
        idleDeadline?.cancel()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Once upgraded, WebSocket frames pass here as bytes: not looked at.
        if phase == .http, case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if unanswered == 0 { startIdleDeadline(context) }
        }
        context.write(data, promise: promise)
    }

    /// A plain HTTP request head arrived: the connection is not idle.
    private func requestArrived() {
        idleDeadline?.cancel()
        idleDeadline = nil
        unanswered += 1
    }

    private func startIdleDeadline(_ context: ChannelHandlerContext) {
        idleDeadline?.cancel()
        let channel = context.channel
        let logger = logger
        let seconds = idleTimeout.nanoseconds / 1_000_000_000
        idleDeadline = DeadlineTimer.shared.schedule(after: .nanoseconds(idleTimeout.nanoseconds)) {
            logger.debug("connection closed: idle for \(seconds) s between requests")
            channel.close(promise: nil)
        }
    }

    private var headerTimeoutText: String { "\(headerTimeout.nanoseconds / 1_000_000_000) s" }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .upgrading:
            context.fireChannelRead(data)
            return
        case .http:
            // A later request: never an upgrade (see above). Only HTTP parts come here: the
            // HTTP decoder stays in place on a connection that did not upgrade.
            guard case .head(var head) = unwrapInboundIn(data) else {
                context.fireChannelRead(data)
                return
            }
            requestArrived()
            guard !head.headers["Upgrade"].isEmpty else {
                context.fireChannelRead(data)
                return
            }
            head.headers.remove(name: "Upgrade")
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        case .first:
            break
        }
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        headerDeadline?.cancel()
        headerDeadline = nil
        onFirstRequest()
        phase = head.headers["Upgrade"].isEmpty ? .http : .upgrading
        guard !head.headers["Upgrade"].isEmpty else {
            requestArrived()
            context.fireChannelRead(data)
            return
        }
        let screening = gate.screen(hosts: head.headers["Host"], origins: head.headers["Origin"], fetchSite: head.headers["Sec-Fetch-Site"],
                                    localMarker: head.headers[RequestGate.localProgramHeader])
        guard case .refused(_, _, let reason) = screening else {
            context.fireChannelRead(data)
            return
        }
        phase = .http
        requestArrived()
        logger.debug("WebSocket upgrade refused before upgrading (\(reason)): answered as plain HTTP")
        head.headers.remove(name: "Upgrade")
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
