import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One connection to the daemon: Hummingbird's HTTP/1 with WebSocket upgrade, with the
/// `UpgradeScreen` placed just before NIO's upgrade handler so that a refused upgrade is
/// answered 403 like any other refusal (Hummingbird would answer 400).
struct BridgeServerChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let upgradeChannel: HTTP1WebSocketUpgradeChannel
    let gate: RequestGate
    let connections: ConnectionCount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Past the limit a new connection is closed at once, before any byte is read; the
        // ones already open (the page's WebSocket) go on.
        guard connections.open() else {
            logger.debug("connection refused: \(ConnectionCount.limit) already open")
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ConnectionCount.LimitReached())
        }
        channel.closeFuture.whenComplete { _ in connections.close() }
        return upgradeChannel.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Throws (and so drops the connection) if the pipeline is not laid out as expected.
            let pipeline = channel.pipeline.syncOperations
            let upgrader = try pipeline.handler(type: NIOTypedHTTPServerUpgradeHandler<HTTP1WebSocketUpgradeChannel.UpgradeResult>.self)
            try pipeline.addHandler(UpgradeScreen(gate: gate, logger: logger), position: .before(upgrader))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await upgradeChannel.handle(value: value, logger: logger)
    }
}

/// How many connections are open, against a fixed limit (a browser opens at most six per
/// host and one WebSocket per page; 64 leaves room for several pages and local programs).
final class ConnectionCount: Sendable {
    static let limit = 64
    struct LimitReached: Error {}
    private let count = Atomic<Int>(0)

    /// Counts one more connection, or returns false (counting nothing) at the limit.
    func open() -> Bool {
        while true {
            let current = count.load(ordering: .relaxed)
            guard current < Self.limit else { return false }
            if count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    func close() {
        count.subtract(1, ordering: .relaxed)
    }
}
