import BridgeProtocol
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// One connection to the daemon, checked before any byte of it is read:
/// 1. its peer must be a process of the daemon's own account (`PeerPolicy`), else it gets
///    `403 otherUser` and nothing else;
/// 2. it must fit in the `ConnectionTable`, else `503 busy` with `Retry-After`;
/// 3. then it is Hummingbird's HTTP/1 with WebSocket upgrade, with the `UpgradeScreen` placed
///    just before NIO's upgrade handler so that a refused upgrade is answered 403 like any
///    other refusal (Hummingbird would answer 400), and a request head due within
///    `headerTimeout`.
///
/// The same checks apply whichever way the connection came: a socket the daemon bound, one
/// systemd passed, or one the dispatcher handed over.
public struct BridgeServerChannel: ServerChildChannel {
    public enum Value: ServerChildChannelValue {
        /// Served by Hummingbird (HTTP, WebSocket).
        case served(HTTP1WebSocketUpgradeChannel.Value)
        /// Answered at once by a `CannedAnswer`, then closed.
        case refused(any Channel)

        public var channel: any Channel {
            switch self {
            case .served(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    /// The answer of a connection over the limit, or evicted to make room.
    static let busyPayload = ErrorPayload(code: .busy, detail: "too many connections to the CPS service: retry shortly")

    /// How long a new connection has to send a complete request head.
    static let headerTimeout = TimeAmount.seconds(10)

    let upgradeChannel: HTTP1WebSocketUpgradeChannel
    let gate: RequestGate
    let peers: PeerPolicy
    let connections: ConnectionTable
    let refusals: RefusalLog

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        switch peers.check(remote: channel.remoteAddress, local: channel.localAddress) {
        case .owner:
            break
        case .otherUser(let uid):
            refusals.refused("a connection from another account (uid \(uid))")
            return refuse(channel, CannedAnswer(ErrorPayload(code: .otherUser)))
        case .unknown(let reason):
            refusals.refused("a connection whose account cannot be told (\(reason))")
            return refuse(channel, CannedAnswer(ErrorPayload(code: .otherUser)))
        }
        switch connections.open(channel) {
        case .admitted:
            break
        case .admittedEvicting(let silent):
            logger.debug("\(ConnectionTable.limit) connections open: the oldest one that has sent nothing gets 503 and is closed")
            // Answered, not just dropped: a client that was only slow to send gets a clear
            // `busy` and `Retry-After`, like a connection refused over the limit.
            silent.eventLoop.execute {
                do {
                    try silent.pipeline.syncOperations.addHandler(CannedAnswer(Self.busyPayload, status: 503, retryAfter: 1), position: .first)
                } catch {
                    silent.close(promise: nil)
                }
            }
        case .full:
            refusals.refused("a connection over the limit of \(ConnectionTable.limit), all busy")
            let payload = Self.busyPayload
            return refuse(channel, CannedAnswer(payload, status: 503, retryAfter: 1))
        }
        let connections = connections
        return upgradeChannel.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Throws (and so drops the connection) if the pipeline is not laid out as expected.
            let pipeline = channel.pipeline.syncOperations
            let upgrader = try pipeline.handler(type: NIOTypedHTTPServerUpgradeHandler<HTTP1WebSocketUpgradeChannel.UpgradeResult>.self)
            let screen = UpgradeScreen(gate: gate, headerTimeout: Self.headerTimeout, idleTimeout: BridgeServer.idleTimeout, logger: logger) { connections.spoke(channel) }
            try pipeline.addHandler(screen, position: .before(upgrader))
            return .served(value)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        switch value {
        case .served(let served):
            // The connection's task runs on its channel's event loop (ConnectionExecutor): its
            // reads, its answers and the resumption after a card call make no hop to another
            // loop. Hummingbird starts it on whichever loop accepted the connection.
            await withTaskExecutorPreference(ConnectionExecutor(served.channel.eventLoop)) {
                await upgradeChannel.handle(value: served, logger: logger)
            }
        case .refused(let channel):
            try? await channel.closeFuture.get()
        }
    }

    private func refuse(_ channel: any Channel, _ answer: CannedAnswer) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(answer)
            return .refused(channel)
        }
    }
}
