import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// A connection's NIO event loop as a Swift task executor. The WebSocket's own tasks (reading
/// frames, the event feed, the writer) prefer it, so a request that needs no card (a status
/// the daemon already knows) is read, answered and written on the thread that does the
/// connection's I/O, with no hand-off between threads. Card work never runs here: a login or
/// a card read runs in a task of its own on the global executor and on the card's own
/// thread (CardSession), so nothing blocking reaches the event loop.
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

/// The WebSocket route's request context: Hummingbird's, plus the connection's event loop
/// (`ConnectionExecutor`).
struct BridgeWebSocketContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        eventLoop = source.channel.eventLoop
    }
}
