import Dispatch

/// Runs blocking PC/SC (or PKCS#11) calls on a thread of its own, never on the cooperative
/// pool (which has only as many threads as cores).
///
/// One executor serialises its jobs in order: give each PC/SC context that waits its own.
public final class BlockingExecutor: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the executor's thread and returns its result to the caller's task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

extension PCSCContext {
    /// Waits for a status change on `executor`, off the cooperative pool; cancelling the
    /// calling task calls `SCardCancel`, so the wait returns at once with `.cancelled`.
    public func waitForStatusChange(
        _ states: [ReaderState],
        timeoutMilliseconds: Int?,
        on executor: BlockingExecutor
    ) async throws -> (changed: Bool, states: [ReaderState]) {
        try await withTaskCancellationHandler {
            try await executor.run {
                var copy = states
                let changed = try self.waitForStatusChange(&copy, timeoutMilliseconds: timeoutMilliseconds)
                return (changed, copy)
            }
        } onCancel: {
            try? self.cancel()
        }
    }
}
