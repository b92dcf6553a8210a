import Dispatch

/// A serial executor on a dispatch queue of its own, so that an actor whose methods make
/// blocking PKCS#11 or PC/SC calls never holds a thread of the cooperative pool (which has
/// only as many threads as cores). Linux has no `DispatchSerialQueue` executor.
final class DispatchQueueExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: DispatchQueue is thread-safe.
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { unowned.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
