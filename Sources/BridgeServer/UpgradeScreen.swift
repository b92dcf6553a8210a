import Logging
import NIOCore
import NIOHTTP1

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
/// them again. Only the first request head is screened: later requests on a kept-alive
/// connection are Hummingbird's plain HTTP, where an upgrade is never honoured (NIO upgrades
/// the first request only).
final class UpgradeScreen: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let gate: RequestGate
    private let logger: Logger
    private var screened = false

    init(gate: RequestGate, logger: Logger) {
        self.gate = gate
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !screened, case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        screened = true
        guard !head.headers["Upgrade"].isEmpty else {
            context.fireChannelRead(data)
            return
        }
        let screening = gate.screen(hosts: head.headers["Host"], origins: head.headers["Origin"])
        guard case .refused(_, _, let reason) = screening else {
            context.fireChannelRead(data)
            return
        }
        logger.debug("WebSocket upgrade refused before upgrading (\(reason)): answered as plain HTTP")
        head.headers.remove(name: "Upgrade")
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
