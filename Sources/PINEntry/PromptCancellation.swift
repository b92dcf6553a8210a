import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Closes a native PIN prompt from outside, at once: the request was cancelled, timed out, or
/// its client went away.
///
/// The prompt runs as a child process (a pinentry) on a blocking thread; `cancel()` may come
/// from any thread, before, during or after it runs. The child gets SIGTERM (a pinentry then
/// takes its window down), and SIGKILL half a second later if it is still there; its end of
/// the pipes closes with it, so the blocked conversation ends with an error and reaps it. A
/// prompt started after `cancel()` is killed as soon as it starts.
public final class PromptCancellation: Sendable {
    private struct State {
        var cancelled = false
        var child: pid_t?
    }
    private let state = Mutex(State())

    public init() {}

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Ends the prompt (if one runs) and any prompt started later through this value.
    public func cancel() {
        let child = state.withLock { state -> pid_t? in
            state.cancelled = true
            return state.child
        }
        if let child { terminate(child) }
    }

    /// Called by the conversation once its child runs; kills it at once if already cancelled.
    func register(_ child: pid_t) {
        let cancelled = state.withLock { state -> Bool in
            state.child = child
            return state.cancelled
        }
        if cancelled { terminate(child) }
    }

    /// Called by the conversation before it waits for its child to end: no signal is sent to
    /// that pid after this.
    func unregister() {
        state.withLock { $0.child = nil }
    }

    private func terminate(_ child: pid_t) {
        _ = kill(child, SIGTERM)
        // A serial queue, not `DispatchQueue.global()` (whose pool would keep a monitor timer
        // waking the process every second from then on).
        DispatchQueue(label: "cps-bridge.pinentry-kill").asyncAfter(deadline: .now() + .milliseconds(500)) { [self] in
            state.withLock { state in
                if state.child == child { _ = kill(child, SIGKILL) }
            }
        }
    }
}
