import Dispatch
import OwnThreads
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking PC/SC (or PKCS#11) calls on a thread of its own (`DedicatedThread`), never
/// on the tasks' executor (which has only as many threads as cores).
///
/// One executor serialises its jobs in order: give each PC/SC context that waits its own.
/// The thread ends when the executor goes.
public final class BlockingExecutor: Sendable {
    private let thread: DedicatedThread

    public init(label: String) {
        thread = DedicatedThread(name: label)
    }

    /// Runs `body` on the executor's thread and returns its result to the caller's task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            thread.run {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

extension PCSCContext {
    /// Waits for a status change on `executor`, off the cooperative pool; cancelling the
    /// calling task calls `SCardCancel`, so the wait returns at once with `.cancelled`.
    ///
    /// `SCardCancel` only wakes a wait already in progress; a cancellation that lands just
    /// before the wait starts would be lost. So the cancel handler repeats `SCardCancel`
    /// (every 20 ms, for at most 5 s) until the wait has returned.
    public func waitForStatusChange(
        _ states: [ReaderState],
        timeoutMilliseconds: Int?,
        on executor: BlockingExecutor
    ) async throws -> (changed: Bool, states: [ReaderState]) {
        let flags = CancellationFlags()
        return try await withTaskCancellationHandler {
            try await executor.run {
                defer { flags.finished.store(true, ordering: .releasing) }
                if flags.cancelled.load(ordering: .acquiring) { throw PCSCError(.cancelled, function: "SCardGetStatusChange") }
                var copy = states
                let changed = try self.waitForStatusChange(&copy, timeoutMilliseconds: timeoutMilliseconds)
                return (changed, copy)
            }
        } onCancel: {
            flags.cancelled.store(true, ordering: .releasing)
            // A serial queue of its own, not `DispatchQueue.global()`: libdispatch's global
            // pool, once started, keeps a one-second monitor timer for the process's life.
            DispatchQueue(label: "cps-bridge.pcsc-cancel").async {
                for _ in 0..<250 where !flags.finished.load(ordering: .acquiring) {
                    try? self.cancel()
                    usleep(20_000)
                }
            }
        }
    }
}

/// Shared between a wait and its cancel handler.
private final class CancellationFlags: Sendable {
    let cancelled = Atomic(false)
    let finished = Atomic(false)
}
