import Foundation

/// The default `NonceStore`: one federator process, in memory, bounded.
///
/// Entries are kept until their expiry plus `retention` (so that a late replay is still told
/// apart from an unknown nonce), then dropped. When `capacity` entries are held, the oldest
/// are dropped first, used or not: a dropped nonce then reads as `.unknown`, which refuses a
/// login just as `.used` does, so a flood of issued nonces can cost a slow user a retry but
/// never lets a replay through.
public actor InMemoryNonceStore: NonceStore {
    private struct Entry {
        var expiresAt: Date
        var used: Bool
    }

    /// The most entries held at once.
    public let capacity: Int
    /// How long an entry is remembered after its expiry.
    public let retention: Duration

    private var entries: [String: Entry] = [:]
    /// Insertion order, for dropping the oldest; `head` is the first live index.
    private var order: [String] = []
    private var head = 0

    /// - Parameters:
    ///   - capacity: the most nonces held (default 100 000: a few MB).
    ///   - retention: how long an expired or used nonce is remembered past its expiry
    ///     (default 5 minutes).
    public init(capacity: Int = 100_000, retention: Duration = .seconds(300)) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        self.retention = retention
    }

    /// How many nonces are held now.
    public var count: Int { entries.count }

    /// Records `nonce` as unused until `expiresAt`. A nonce already held is left exactly as
    /// it is: inserting it again never clears its `used` mark nor extends its lifetime (a
    /// replayed `insert` cannot revive a spent nonce).
    public func insert(_ nonce: String, expiresAt: Date, now: Date) {
        purge(before: now)
        guard entries[nonce] == nil else { return }
        while entries.count >= capacity { dropOldest() }
        order.append(nonce)
        entries[nonce] = Entry(expiresAt: expiresAt, used: false)
    }

    public func consume(_ nonce: String, now: Date) -> NonceState {
        purge(before: now)
        guard var entry = entries[nonce] else { return .unknown }
        let wasUsed = entry.used
        entry.used = true
        entries[nonce] = entry
        if wasUsed { return .used }
        return now < entry.expiresAt ? .fresh : .expired
    }

    /// Drops entries whose expiry plus retention is before `now` (oldest first, stopping at
    /// the first one still kept: nonces are issued with one lifetime, so in expiry order).
    private func purge(before now: Date) {
        let keep = Self.seconds(retention)
        while head < order.count {
            let nonce = order[head]
            if let entry = entries[nonce], entry.expiresAt.addingTimeInterval(keep) >= now { break }
            entries[nonce] = nil
            head += 1
        }
        compact()
    }

    private func dropOldest() {
        guard head < order.count else { return }
        entries[order[head]] = nil
        head += 1
        compact()
    }

    /// Reclaims the dropped prefix of `order` once it is half the array.
    private func compact() {
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
