#if canImport(Glibc)
import Glibc
#endif

/// A value behind a lock, for the little mutable state the owned-handle classes keep
/// (the module registry, a module's generation, a session's closed flag). Held across a call
/// into a module only by `C_Initialize` and `C_Finalize`, which must not overlap.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only read or written while `lock` is held.
    // A pthread mutex at a fixed address (a Swift stored property may move).
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body(&value)
    }
}
