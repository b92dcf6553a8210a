#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own that runs closures one after the other, in order, and ends once its
/// last owner lets go of it (after running what was already handed to it).
///
/// Why not a dispatch queue: libdispatch's worker threads end a few seconds after their last
/// job, and each end is a wake-up of an otherwise idle process; the thread behind a serial
/// queue also changes from job to job. A card's calls and a PC/SC wait want one thread that
/// sleeps in the kernel until it has work, for as long as the card or the wait lasts.
public final class DedicatedThread: Sendable {
    private let queue: JobQueue

    /// Starts the thread; `name` is what `ps -L` and `/proc/PID/task/*/comm` show (at most 15
    /// bytes are kept).
    public init(name: String) {
        queue = JobQueue(name: name)
        let context = Unmanaged.passRetained(queue).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            let queue = Unmanaged<JobQueue>.fromOpaque(context!).takeRetainedValue()
            queue.drain()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }

    /// Hands `job` to the thread; returns at once.
    public func run(_ job: @escaping @Sendable () -> Void) {
        queue.append(job)
    }

    deinit {
        queue.finish()
    }
}

/// The jobs waiting for a `DedicatedThread`, behind a mutex and a condition variable.
private final class JobQueue: @unchecked Sendable {
    // @unchecked: every field is read and written with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [@Sendable () -> Void] = []
    private var finished = false
    private let name: String

    init(name: String) {
        self.name = name
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func append(_ job: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        jobs.append(job)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    func finish() {
        pthread_mutex_lock(mutex)
        finished = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The thread's life: run jobs in order until finished and nothing is left.
    func drain() {
        nameCallingThread(name)
        pthread_mutex_lock(mutex)
        while true {
            while jobs.isEmpty && !finished {
                pthread_cond_wait(condition, mutex)
            }
            if jobs.isEmpty { break }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            pthread_mutex_unlock(mutex)
            for job in batch { job() }
            pthread_mutex_lock(mutex)
        }
        pthread_mutex_unlock(mutex)
    }
}

/// Names the calling thread, as `ps -L` and `/proc/PID/task/*/comm` show it: at most 15 bytes
/// of `name` are kept. (`pthread_setname_np` is a GNU extension Swift's Glibc module does not
/// import; the kernel's `comm` file does the same.)
func nameCallingThread(_ name: String) {
    let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}
