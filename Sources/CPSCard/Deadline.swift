import OwnThreads
import Synchronization

/// Runs `operation` in a task of its own and returns its result, or throws `.timeout` after
/// `limit`, or `.cancelled` when the calling task is cancelled, whichever comes first.
///
/// A card call that blocks (a stalled card) cannot be interrupted: it goes on in the
/// background and `onFinish` runs when it finally ends, so the caller can keep the card
/// marked busy until then.
///
/// `executor`: where the operation's task runs, the card's own thread for a card call
/// (`LoginCard.cardThread`). The task then starts there, calls the card with no further
/// hand-off, and resumes the caller from there: one hop to the card's thread and one back to
/// the caller's event loop, rather than a stop on some other event loop on each side.
func withDeadline<T: Sendable>(
    _ limit: Duration,
    on executor: (any TaskExecutor)? = nil,
    onFinish: @escaping @Sendable () -> Void = {},
    _ operation: @escaping @Sendable () async throws(AuthenticationError) -> T
) async throws(AuthenticationError) -> T {
    let gate = ResumeOnce<T>()
    // The timer is taken back as soon as this returns, whoever won: a finished card call
    // leaves no timer behind (`DeadlineTimer`: a cancelled `Task.sleep` would still fire).
    let timer = DeadlineTimer.shared.schedule(after: limit) { gate.resume(.failure(.timeout)) }
    defer { timer.cancel() }
    let result: Result<T, AuthenticationError> = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            gate.install(continuation)
            Task(executorPreference: executor) {
                let result: Result<T, AuthenticationError>
                do throws(AuthenticationError) {
                    result = .success(try await operation())
                } catch {
                    result = .failure(error)
                }
                // Finished before the caller resumes: a call that ended is no longer counted
                // when the caller goes on (a login's next claim must not see it as busy). A call
                // past its deadline is still counted until it really ends.
                onFinish()
                gate.resume(result)
            }
        }
    } onCancel: {
        gate.resume(.failure(.cancelled))
    }
    return try result.get()
}

/// Resumes a continuation once, whoever comes first; later results are dropped.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Result<T, AuthenticationError>, Never>?, pending: Result<T, AuthenticationError>?, done: Bool)>((nil, nil, false))

    func install(_ continuation: CheckedContinuation<Result<T, AuthenticationError>, Never>) {
        let early: Result<T, AuthenticationError>? = state.withLock { state in
            if let pending = state.pending, !state.done {
                state.done = true
                return pending
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ result: Result<T, AuthenticationError>) {
        let continuation: CheckedContinuation<Result<T, AuthenticationError>, Never>? = state.withLock { state in
            guard !state.done else { return nil }
            guard let continuation = state.continuation else {
                if state.pending == nil { state.pending = result }
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: result)
    }
}
