import BridgeProtocol
import Synchronization

/// Every message to one WebSocket page, in order, through one writer; with backpressure: the
/// connection's reader waits (`roomAvailable()`) while more than `highWater` messages are
/// queued, so a client that sends without reading makes the daemon stop reading it, instead of
/// making it queue answers without end.
final class Outbox: Sendable {
    let messages: AsyncStream<ServerMessage>
    private let continuation: AsyncStream<ServerMessage>.Continuation
    private struct State {
        var pending = 0
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())
    let highWater: Int

    init(highWater: Int = 64) {
        (messages, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.highWater = highWater
    }

    /// Queues `message` for the writer.
    func post(_ message: ServerMessage) {
        let open = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.pending += 1
            return true
        }
        if open { continuation.yield(message) }
    }

    /// The writer wrote one message.
    func delivered() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.pending -= 1
            guard state.pending <= highWater / 2 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once fewer than `highWater` messages are queued, or the outbox is closed.
    func roomAvailable() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { state -> Bool in
                guard !state.closed, state.pending >= highWater else { return false }
                state.waiter = waiter
                return true
            }
            if !wait { waiter.resume() }
        }
    }

    /// No more messages: the writer's stream ends, a waiting reader goes on.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        continuation.finish()
        waiter?.resume()
    }
}
