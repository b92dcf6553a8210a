import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// One connection to the daemon: Hummingbird's HTTP/1 with WebSocket upgrade, with the
/// `UpgradeScreen` placed just before NIO's upgrade handler so that a refused upgrade is
/// answered 403 like any other refusal (Hummingbird would answer 400).
struct BridgeServerChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let upgradeChannel: HTTP1WebSocketUpgradeChannel
    let gate: RequestGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        upgradeChannel.setup(channel: channel, logger: logger).flatMapThrowing { value in
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
