import CTimerFD
#if canImport(Glibc)
import Glibc
#endif

/// One-shot timers that can be taken back: a deadline that is no longer needed is removed
/// and never fires.
///
/// `Task.sleep` cannot do that: a cancelled sleep returns at once, but its timer stays armed
/// until it expires, so every card call used to leave a timer behind that woke the process
/// 5 or 30 s later for nothing (BENCHMARKS.md, "wake-ups"); NIO's `scheduleTask` takes the
/// timer back but leaves the event loop's timerfd armed (one wake-up for nothing).
///
/// Here one thread, started on first use, waits in `read(2)` on a timerfd armed to the
/// earliest deadline (`CLOCK_MONOTONIC`, absolute), or disarmed when there is none. Whoever
/// schedules or takes back a timer re-arms it with one system call, which does not wake that
/// thread: it runs only when a deadline really passes. A card call or a request that ends in
/// time (nearly all of them) therefore costs no thread switch for its deadline.
public final class DeadlineTimer: @unchecked Sendable {
    // @unchecked: `pending`, `next`, `armed` and `started` are read and written with `mutex` held.
    public static let shared = DeadlineTimer(name: "cps-deadlines")

    /// A timer handed out by `schedule`; `cancel` it once its deadline no longer matters.
    public struct Handle: Sendable {
        fileprivate let id: UInt64
        fileprivate let timers: DeadlineTimer

        public func cancel() { timers.cancel(id) }
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let descriptor: Int32
    private let name: String
    private var pending: [UInt64: (due: UInt64, action: @Sendable () -> Void)] = [:]
    private var next: UInt64 = 0
    /// The deadline the timerfd is armed to (monotonic nanoseconds); 0: disarmed.
    private var armed: UInt64 = 0
    private var started = false

    /// A timer set of its own, whose thread is called `name` (at most 15 bytes are kept).
    init(name: String) {
        self.name = name
        pthread_mutex_init(mutex, nil)
        descriptor = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_CLOEXEC))
        precondition(descriptor >= 0, "timerfd_create failed: \(errno)")
    }

    /// Runs `action` on the timer thread after `delay`, unless cancelled first.
    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Handle {
        let due = max(Self.now() &+ Self.nanoseconds(delay), 1)
        pthread_mutex_lock(mutex)
        next += 1
        let id = next
        pending[id] = (due, action)
        if armed == 0 || due < armed { arm(due) }
        if !started {
            started = true
            startThread()
        }
        pthread_mutex_unlock(mutex)
        return Handle(id: id, timers: self)
    }

    private func cancel(_ id: UInt64) {
        pthread_mutex_lock(mutex)
        // Re-armed to the next deadline (or disarmed) if this one was the earliest: the thread
        // then never wakes for it.
        if let removed = pending.removeValue(forKey: id), removed.due == armed {
            arm(pending.values.map(\.due).min() ?? 0)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Arms the timerfd to `due` (0: disarms it). With `mutex` held.
    private func arm(_ due: UInt64) {
        armed = due
        var setting = itimerspec()
        setting.it_value = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
        let result = timerfd_settime(descriptor, Int32(TFD_TIMER_ABSTIME), &setting, nil)
        precondition(result == 0, "timerfd_settime failed: \(errno)")
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

    private func loop() {
        nameCallingThread(name)
        while true {
            // Returns once the armed deadline has passed (whatever it was re-armed to since).
            var expirations: UInt64 = 0
            let count = read(descriptor, &expirations, MemoryLayout<UInt64>.size)
            if count < 0 && errno != EINTR && errno != EAGAIN {
                preconditionFailure("reading the timerfd failed: \(errno)")
            }
            pthread_mutex_lock(mutex)
            let now = Self.now()
            let due = pending.filter { $0.value.due <= now }.sorted { $0.value.due < $1.value.due }
            for (id, _) in due { pending[id] = nil }
            arm(pending.values.map(\.due).min() ?? 0)
            pthread_mutex_unlock(mutex)
            for (_, timer) in due { timer.action() }
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
