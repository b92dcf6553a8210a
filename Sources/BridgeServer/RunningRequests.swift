import Synchronization

/// The requests of one WebSocket still under way, by `id`: at most `limit` at once (a page
/// needs two or three; a client flooding `status` gets `busy` past that), an `id` used only
/// once at a time, and `cancel` reaching the one it names.
final class RunningRequests: Sendable {
    /// Requests one connection may have under way at once.
    static let limit = 4

    enum Reservation: Equatable {
        case reserved
        /// A request with this `id` is still under way.
        case duplicate
        /// `limit` requests are under way.
        case full
    }

    private struct Entry {
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let limit: Int

    init(limit: Int = RunningRequests.limit) {
        self.limit = limit
    }

    /// Takes a place for `id` before its task starts.
    func reserve(_ id: String) -> Reservation {
        entries.withLock { entries in
            if entries[id] != nil { return .duplicate }
            if entries.count >= limit { return .full }
            entries[id] = Entry()
            return .reserved
        }
    }

    /// The task doing request `id`; cancelled at once if `cancel(id)` came first.
    func attach(_ id: String, _ task: Task<Void, Never>) {
        let cancelled = entries.withLock { entries -> Bool in
            entries[id]?.task = task
            return entries[id]?.cancelled ?? false
        }
        if cancelled { task.cancel() }
    }

    func finish(_ id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    func cancel(_ id: String) {
        let task = entries.withLock { entries -> Task<Void, Never>? in
            entries[id]?.cancelled = true
            return entries[id]?.task
        }
        task?.cancel()
    }
}
