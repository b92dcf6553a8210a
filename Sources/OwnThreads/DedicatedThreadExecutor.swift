/// A serial executor on a `DedicatedThread`: an actor whose methods make blocking PKCS#11 or
/// PC/SC calls keeps them off the tasks' executor (whose threads are as many as cores, and
/// also do the daemon's network I/O) and runs them all on one thread of its own.
///
/// It is also a task executor: a task that prefers it (`Task(executorPreference:)`) starts on
/// the card's thread and stays there between its calls to the actor, so a card call made from
/// a connection's event loop costs one hand-off there and one back, with no stop on another
/// event loop in between.
public final class DedicatedThreadExecutor: SerialExecutor, TaskExecutor {
    private let thread: DedicatedThread

    public init(name: String) {
        thread = DedicatedThread(name: name)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let serial = asUnownedSerialExecutor()
        let task = asUnownedTaskExecutor()
        // One thread for both roles: a job runs isolated to the actor and with this thread as
        // its task executor, whichever way it came.
        thread.run { job.runSynchronously(isolatedTo: serial, taskExecutor: task) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
