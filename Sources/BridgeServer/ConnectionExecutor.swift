import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// A connection's NIO event loop as a Swift task executor. Every connection's task prefers it
/// (`BridgeServerChannel.handle`), and with it every task the connection starts (a WebSocket's
/// frame reader, event feed and writer), so a request that needs no card (a status the daemon
/// already knows) is read, answered and written on the thread that does the connection's I/O,
/// with no hand-off between threads. Card work never runs here: a card call's task prefers the
/// card's own thread (`withDeadline(on:)`, CardSession), so nothing blocking reaches the loop.
final class ConnectionExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The WebSocket route's request context: Hummingbird's, with the WebSocket handler.
struct BridgeWebSocketContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
    }
}
