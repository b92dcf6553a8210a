import NIOCore
import Synchronization

/// The connections of the daemon's own account, against a fixed limit (a browser opens at most
/// six per host and one WebSocket per page; 64 leaves room for several pages and local
/// programs).
///
/// At the limit a new connection does not simply lose: the oldest connection that has been
/// open and silent (no request yet) for at least `evictionGrace` is answered `503` and closed
/// to make room, so a program holding idle sockets cannot lock the browser out. Only when every
/// connection is serving a request or a WebSocket, or is younger than the grace (a burst of
/// clients whose requests are on their way), is the new one refused (`503`, `Retry-After`):
/// every client gets an answer.
final class ConnectionTable: Sendable {
    static let limit = 64
    /// How long a connection may stay silent before it can be evicted: a real client sends its
    /// request head within milliseconds of connecting.
    static let evictionGrace = Duration.seconds(1)

    private struct Entry {
        let channel: any Channel
        let opened: ContinuousClock.Instant
        var silent: Bool
    }

    enum Admission {
        case admitted
        /// Admitted in place of this silent connection, which the caller closes.
        case admittedEvicting(any Channel)
        case full
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    private let limit: Int
    private let evictionGrace: Duration

    init(limit: Int = ConnectionTable.limit, evictionGrace: Duration = ConnectionTable.evictionGrace) {
        self.limit = limit
        self.evictionGrace = evictionGrace
    }

    /// Counts `channel` in, evicting the oldest silent connection at the limit; removes it
    /// again when it closes.
    func open(_ channel: any Channel) -> Admission {
        let key = ObjectIdentifier(channel)
        let admission = entries.withLock { entries -> Admission in
            var evicted: (any Channel)?
            if entries.count >= limit {
                let now = ContinuousClock.now
                guard let oldest = entries.filter({ $0.value.silent && now - $0.value.opened >= evictionGrace })
                    .min(by: { $0.value.opened < $1.value.opened }) else { return .full }
                entries[oldest.key] = nil
                evicted = oldest.value.channel
            }
            entries[key] = Entry(channel: channel, opened: .now, silent: true)
            return evicted.map { .admittedEvicting($0) } ?? .admitted
        }
        if case .full = admission { return admission }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.entries.withLock { $0.removeValue(forKey: key) }
        }
        return admission
    }

    /// `channel` sent its first request: it is no longer a candidate for eviction.
    func spoke(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.silent = false }
    }

    var count: Int { entries.withLock { $0.count } }
}
