import Logging
import Synchronization

/// Logs refusals without letting a hostile page flood the journal: the first refusal of a
/// kind (its reason, which names the origin or Host) in a minute is a `notice`; the next ones
/// that minute are `debug`, and their number is told with the next notice of that kind.
final class RefusalLog: Sendable {
    private struct Entry {
        var windowStart: ContinuousClock.Instant
        var suppressed: Int
    }

    private let logger: Logger
    private let window: Duration
    private let entries = Mutex<[String: Entry]>([:])
    /// Kinds remembered at once; past this the memory starts afresh (a page cycling through
    /// many origins gets a notice per origin, never unbounded memory).
    static let capacity = 1024

    init(logger: Logger, window: Duration = .seconds(60)) {
        self.logger = logger
        self.window = window
    }

    func refused(_ reason: String, now: ContinuousClock.Instant = .now) {
        let (loud, suppressed) = entries.withLock { entries -> (Bool, Int) in
            if let entry = entries[reason], now - entry.windowStart < window {
                entries[reason]?.suppressed += 1
                return (false, 0)
            }
            if entries.count >= Self.capacity { entries.removeAll() }
            let earlier = entries[reason]?.suppressed ?? 0
            entries[reason] = Entry(windowStart: now, suppressed: 0)
            return (true, earlier)
        }
        if loud {
            let more = suppressed > 0 ? " (and \(suppressed) more like it in the minute before)" : ""
            logger.notice("refused: \(reason)\(more)")
        } else {
            logger.debug("refused: \(reason)")
        }
    }
}
