/// Per-origin limits over a sliding minute: room for a person and a busy page, none for a
/// page hammering the card.
///
/// Pure: the caller passes the time, so tests need no clock.
public struct RateLimiter: Sendable {
    public let limitPerMinute: Int
    private var events: [String: [Double]] = [:]

    public init(limitPerMinute: Int) {
        precondition(limitPerMinute > 0)
        self.limitPerMinute = limitPerMinute
    }

    /// Records one request from `key` at `now` (seconds) and tells whether it is within the
    /// limit; a refused request is not counted.
    public mutating func admit(_ key: String, now: Double) -> Bool {
        var recent = events[key, default: []].filter { now - $0 < 60 }
        guard recent.count < limitPerMinute else {
            events[key] = recent
            return false
        }
        recent.append(now)
        events[key] = recent
        if events.count > 1024 { events = events.filter { !$0.value.isEmpty && now - ($0.value.last ?? 0) < 60 } }
        return true
    }

    /// Seconds until `key` may send again (0 when it may now).
    public func retryAfter(_ key: String, now: Double) -> Int {
        let recent = events[key, default: []].filter { now - $0 < 60 }
        guard recent.count >= limitPerMinute, let oldest = recent.first else { return 0 }
        return max(1, Int((60 - (now - oldest)).rounded(.up)))
    }
}
