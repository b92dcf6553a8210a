@_spi(ExperimentalCustomExecutors) @_spi(ExperimentalScheduling) import _Concurrency
import NIOCore
import NIOPosix

/// Swift's global executor on NIO's event loops: every task that no actor or executor
/// preference claims, and every `Task.sleep` and clock sleep, runs on the threads that
/// already do the daemon's network I/O.
///
/// Why: on Linux the default global executor is libdispatch's thread pool, and the first time
/// one of its workers starts, libdispatch arms a one-second timer that monitors the pool and
/// is never cancelled. A daemon on its default executor therefore wakes once a second for
/// ever, even with no client and nothing to do (BENCHMARKS.md, "wake-ups"). On the event
/// loops, an idle daemon sleeps in `epoll_wait` until a socket, a card event or a timer of its
/// own needs it; tasks started from a connection's loop also stay on that loop (no hand-off
/// between threads).
///
/// What must never run here: blocking calls. PC/SC waits and PKCS#11 calls already run on
/// threads of their own (`BlockingExecutor`, the card session's executor), as they must on
/// any executor with as few threads as cores.
final class EventLoopTaskExecutor: TaskExecutor, SchedulingExecutor {
    let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        group.any().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// A timer on the event loop (NIO's `scheduleTask`: the loop's own timer, no thread of
    /// its own). Clocks whose durations are not `Duration` (none in the daemon) go to the
    /// platform's executor.
    func enqueue<C: Clock>(_ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C) {
        guard let delay = delay as? Duration else {
            Self.platformScheduler.enqueue(job, after: delay, tolerance: tolerance, clock: clock)
            return
        }
        let job = UnownedJob(job)
        group.any().scheduleTask(in: Self.timeAmount(delay)) {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        enqueue(job, after: clock.now.duration(to: instant), tolerance: tolerance, clock: clock)
    }

    /// `delay` in nanoseconds for NIO, at least 0 and at most `Int64.max` nanoseconds.
    static func timeAmount(_ delay: Duration) -> TimeAmount {
        let (seconds, attoseconds) = delay.components
        guard seconds >= 0 else { return .zero }
        guard seconds < Int64.max / 1_000_000_000 - 1 else { return .nanoseconds(.max) }
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The executor Swift would have used, for the clocks the event loop cannot time.
    private static var platformScheduler: any SchedulingExecutor {
        guard let scheduler = PlatformExecutorFactory.defaultExecutor as? any SchedulingExecutor else {
            preconditionFailure("the platform's default executor schedules jobs")
        }
        return scheduler
    }
}
