/// A serial executor on a `DedicatedThread`: an actor whose methods make blocking PKCS#11 or
/// PC/SC calls keeps them off the tasks' executor (whose threads are as many as cores, and
/// also do the daemon's network I/O) and runs them all on one thread of its own.
public final class DedicatedThreadExecutor: SerialExecutor {
    private let thread: DedicatedThread

    public init(name: String) {
        thread = DedicatedThread(name: name)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        thread.run { job.runSynchronously(on: executor) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
