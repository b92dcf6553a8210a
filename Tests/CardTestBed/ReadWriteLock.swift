import Synchronization

/// An async reader-writer lock: many tests share the bed's pcscd, one test may take it whole.
final class ReadWriteLock: Sendable {
    private struct State {
        var readers = 0
        var writer = false
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }
    private let state = Mutex(State())

    func withReadLock<T>(_ body: () async throws -> T) async throws -> T {
        await acquire { state in
            guard !state.writer else { return false }
            state.readers += 1
            return true
        }
        defer { releaseAndWake { $0.readers -= 1 } }
        return try await body()
    }

    func withWriteLock<T>(_ body: () async throws -> T) async throws -> T {
        await acquire { state in
            guard !state.writer, state.readers == 0 else { return false }
            state.writer = true
            return true
        }
        defer { releaseAndWake { $0.writer = false } }
        return try await body()
    }

    private func acquire(_ tryTake: @escaping @Sendable (inout State) -> Bool) async {
        while true {
            if state.withLock({ tryTake(&$0) }) { return }
            // Park until a release; `true` means the lock was taken while parking.
            let acquired = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let took = state.withLock { state -> Bool in
                    if tryTake(&state) { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if took { continuation.resume(returning: true) }
            }
            if acquired { return }
        }
    }

    private func releaseAndWake(_ change: (inout State) -> Void) {
        let waiting = state.withLock { state in
            change(&state)
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        waiting.forEach { $0.resume(returning: false) }
    }
}
