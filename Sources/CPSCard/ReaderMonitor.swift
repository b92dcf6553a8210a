import Logging
import OwnThreads
import PCSC
import ServiceLifecycle
import Synchronization

/// Knows, event by event, which readers and cards are present.
///
/// Event-driven: one `SCardGetStatusChange` wait on every reader plus the PnP pseudo-reader,
/// on a context and thread of its own, with no timeout and no polling. It survives pcscd
/// stopping and restarting: it re-establishes its context with backoff, resynchronises its
/// view and emits what changed meanwhile.
public final class ReaderMonitor: Service, Sendable {
    private let logger: Logger
    private let executor = BlockingExecutor(label: "cps-bridge.reader-monitor")

    /// How long one wait for a change lasts (ms): a day, not `INFINITE`, because libpcsclite
    /// turns `INFINITE` into 60 s waits that it renews itself (`SCardGetStatusChange` in
    /// winscard_clnt.c), which woke an idle daemon once a minute. A finite timeout is passed
    /// through as it is: one wait, ended by a change, `SCardCancel` or pcscd going away.
    static let waitLimit = 86_400_000
    private let state = Mutex(State())
    /// Backoff between attempts to reach pcscd: from `initialBackoff`, doubling up to `maxBackoff`.
    private let initialBackoff: Duration
    private let maxBackoff: Duration

    struct State {
        var readers: [ReaderSnapshot] = []
        var serviceAvailable = false
        /// Whether pcscd was ever reached: the first contact is not a restoration.
        var everReached = false
        var synchronised = false
        /// Tasks waiting for the first view (`waitUntilSynchronised`).
        var syncWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextSyncWaiter: UInt64 = 0
        var subscribers: [Int: AsyncStream<ReaderEvent>.Continuation] = [:]
        var nextSubscriber = 0
        var context: PCSCContext?
    }

    public init(logger: Logger = Logger(label: "cps-bridge.readers"),
                initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(2)) {
        self.logger = logger
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The readers and cards present now (empty until the first synchronisation).
    /// Empty while pcscd is unreachable: nothing can be used then.
    public var readers: [ReaderSnapshot] { state.withLock { $0.serviceAvailable ? $0.readers : [] } }

    /// Whether pcscd answered the last call.
    public var isServiceAvailable: Bool { state.withLock { $0.serviceAvailable } }

    /// Whether the view has been read from pcscd at least once since it last came up.
    public var isSynchronised: Bool { state.withLock { $0.synchronised } }

    /// A stream of every change from now on; it ends when the caller stops iterating.
    public func events() -> AsyncStream<ReaderEvent> {
        let (stream, continuation) = AsyncStream<ReaderEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = state.withLock { state in
            defer { state.nextSubscriber += 1 }
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Waits until the monitor has a view of the readers (or `timeout` passes).
    /// Resumed by the monitor the moment it has its view (no polling), by a `DeadlineTimer`
    /// after `timeout`, or by cancelling the calling task, whichever comes first.
    public func waitUntilSynchronised(timeout: Duration = .seconds(5)) async {
        if isSynchronised { return }
        let id = state.withLock { state in
            defer { state.nextSyncWaiter += 1 }
            return state.nextSyncWaiter
        }
        var timer: DeadlineTimer.Handle?
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // A cancellation that came first has set the flag its handler then finds nothing for.
                let now = state.withLock { state -> Bool in
                    if state.synchronised || Task.isCancelled { return true }
                    state.syncWaiters[id] = continuation
                    return false
                }
                if now {
                    continuation.resume()
                } else {
                    // Armed once the waiter is there, so that it always finds it (or nothing, once resumed).
                    timer = DeadlineTimer.shared.schedule(after: timeout) { [weak self] in self?.releaseSyncWaiter(id) }
                }
            }
        } onCancel: {
            releaseSyncWaiter(id)
        }
        timer?.cancel()
    }

    /// Ends waiter `id`'s wait, if it still waits.
    private func releaseSyncWaiter(_ id: UInt64) {
        state.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume()
    }

    public func run() async throws {
        var backoff = initialBackoff
        while !Task.isCancelled {
            do {
                let context = try await executor.run { try PCSCContext() }
                state.withLock { $0.context = context }
                backoff = initialBackoff
                let restored = state.withLock { state -> Bool? in
                    guard !state.serviceAvailable else { return nil }
                    defer { state.serviceAvailable = true; state.everReached = true }
                    return state.everReached
                }
                if let restored {
                    logger.info(restored ? "pcscd reached again" : "pcscd reached")
                    if restored { publish([.serviceRestored]) }
                }
                try await watch(context)
            } catch let error as PCSCError where error.status == .cancelled || Task.isCancelled {
                break
            } catch is CancellationError {
                break
            } catch let error as PCSCError {
                if state.withLock({ $0.serviceAvailable }) {
                    logger.warning("pcscd lost: \(error); retrying")
                    // The last view is kept so that, once pcscd is back, the diff says what
                    // changed meanwhile; listeners learn the service is gone.
                    state.withLock { state in
                        state.serviceAvailable = false
                        state.synchronised = false
                        state.context = nil
                    }
                    publish([.serviceLost])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, maxBackoff)
            }
        }
        // Finished outside the lock: `finish()` runs each stream's onTermination handler at
        // once, and that handler takes the lock to unsubscribe (a recursive lock is a crash).
        let subscribers = state.withLock { state in
            state.context = nil
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        subscribers.forEach { $0.finish() }
    }

    /// Watches one context until it fails (pcscd gone) or the task is cancelled.
    private func watch(_ context: PCSCContext) async throws {
        var pnp = ReaderState.plugAndPlay()
        var watched: [ReaderState] = []
        while true {
            try Task.checkCancellation()
            // (Re)read the reader list and the state of each reader.
            let names = try await executor.run { try context.listReaders() }
            let current = try await executor.run { try context.currentStates(of: names) }
            let snapshots = current.map { state in
                ReaderSnapshot(name: state.reader,
                               card: state.flags.contains(.present) && !state.atr.isEmpty ? CardPresence(atr: state.atr) : nil,
                               eventCounter: state.eventCounter)
            }
            update(to: snapshots)
            watched = current.map { var s = $0; s.acknowledge(); return s }
            // Wait for a card change in a known reader or a change of the reader list.
            var readersChanged = false
            while !readersChanged {
                let (changed, states) = try await context.waitForStatusChange(
                    watched + [pnp], timeoutMilliseconds: Self.waitLimit, on: executor)
                // Nothing happened for a day: wait again, from the same states.
                guard changed else { continue }
                pnp = states[states.count - 1]
                readersChanged = pnp.hasChanged || states.dropLast().contains { $0.flags.contains(.unknown) }
                pnp.acknowledge()
                watched = Array(states.dropLast()).map { var s = $0; s.acknowledge(); return s }
                if !readersChanged {
                    update(to: watched.map { state in
                        ReaderSnapshot(name: state.reader,
                                       card: state.flags.contains(.present) && !state.atr.isEmpty ? CardPresence(atr: state.atr) : nil,
                                       eventCounter: state.eventCounter)
                    })
                }
            }
        }
    }

    private func update(to snapshots: [ReaderSnapshot]) {
        let (events, waiters) = state.withLock { state in
            let events = ReaderEvent.diff(from: state.readers, to: snapshots)
            state.readers = snapshots
            state.synchronised = true
            defer { state.syncWaiters.removeAll() }
            return (events, Array(state.syncWaiters.values))
        }
        if !events.isEmpty {
            for event in events { logger.info("\(event)") }
            publish(events)
        }
        // After the events of this view: a waiter that subscribes next sees only later changes.
        for waiter in waiters { waiter.resume() }
    }

    private func publish(_ events: [ReaderEvent]) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for event in events {
            for subscriber in subscribers { subscriber.yield(event) }
        }
    }
}
