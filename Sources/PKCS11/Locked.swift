import Foundation

/// A value behind a lock, for the little mutable state the owned-handle classes keep
/// (the module registry, a module's generation, a session's closed flag). Held across a call
/// into a module only by `C_Initialize` and `C_Finalize`, which must not overlap.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
