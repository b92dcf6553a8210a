#if canImport(Glibc)
import Glibc
#endif

/// One-shot timers that can be taken back: a deadline that is no longer needed is removed
/// and never fires.
///
/// `Task.sleep` cannot do that: a cancelled sleep returns at once, but its timer stays armed
/// until it expires, so every card call used to leave a timer behind that woke the process
/// 5 or 30 s later for nothing (BENCHMARKS.md, "wake-ups"); NIO's `scheduleTask` takes the
/// timer back but leaves the event loop's timerfd armed (one wake-up for nothing). Here one thread, started on first
/// use, sleeps on a condition variable until the earliest deadline (`CLOCK_MONOTONIC`), or
/// for good when there is none.
public final class DeadlineTimer: @unchecked Sendable {
    // @unchecked: `pending` and `next` are read and written with `mutex` held.
    public static let shared = DeadlineTimer()

    /// A timer handed out by `schedule`; `cancel` it once its deadline no longer matters.
    public struct Handle: Sendable {
        fileprivate let id: UInt64
        fileprivate let timers: DeadlineTimer

        public func cancel() { timers.cancel(id) }
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [UInt64: (due: UInt64, action: @Sendable () -> Void)] = [:]
    private var next: UInt64 = 0
    private var started = false

    private init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// Runs `action` on the timer thread after `delay`, unless cancelled first.
    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Handle {
        let due = Self.now() &+ Self.nanoseconds(delay)
        pthread_mutex_lock(mutex)
        next += 1
        let id = next
        pending[id] = (due, action)
        if !started {
            started = true
            startThread()
        }
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
        return Handle(id: id, timers: self)
    }

    private func cancel(_ id: UInt64) {
        pthread_mutex_lock(mutex)
        // The thread sleeps until the earliest deadline: if that was this one, wake it now (the
        // caller is busy anyway) so it sleeps until the next one, or for good, rather than
        // waking later for nothing (what a cancelled NIO or `Task.sleep` timer does).
        if let removed = pending.removeValue(forKey: id), !pending.values.contains(where: { $0.due <= removed.due }) {
            pthread_cond_signal(condition)
        }
        pthread_mutex_unlock(mutex)
    }

    private func startThread() {
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<DeadlineTimer>.fromOpaque(context!).takeUnretainedValue().loop()
            return nil
        }, Unmanaged.passUnretained(self).toOpaque())
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }

    private func loop() -> Never {
        pthread_mutex_lock(mutex)
        while true {
            let now = Self.now()
            let due = pending.filter { $0.value.due <= now }
            if !due.isEmpty {
                for id in due.keys { pending[id] = nil }
                pthread_mutex_unlock(mutex)
                for timer in due.values { timer.action() }
                pthread_mutex_lock(mutex)
                continue
            }
            guard let earliest = pending.values.map(\.due).min() else {
                pthread_cond_wait(condition, mutex)
                continue
            }
            var until = timespec(tv_sec: Int(earliest / 1_000_000_000), tv_nsec: Int(earliest % 1_000_000_000))
            pthread_cond_timedwait(condition, mutex, &until)
        }
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ UInt64(attoseconds / 1_000_000_000)
    }
}
