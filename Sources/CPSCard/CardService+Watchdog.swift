import Logging
import Synchronization

extension CardService {
    /// Pings `watchdog` every interval while the card worker is healthy, until cancelled. The
    /// pings stop (and a warning says why, once) while a card call has run past `wedgedAfter`.
    func runWatchdog(_ watchdog: CardWatchdog) async {
        var wedgedLogged = false
        while !Task.isCancelled {
            if let age = oldestCardCallAge(), age > watchdog.wedgedAfter {
                if !wedgedLogged {
                    logger.critical("a card call has been blocked for \(age.components.seconds) s: watchdog pings stop, the service manager will restart the daemon")
                    wedgedLogged = true
                }
            } else {
                wedgedLogged = false
                watchdog.ping()
            }
            try? await Task.sleep(for: watchdog.interval)
        }
    }

    /// How long the oldest card call still under way has run, `nil` when none is.
    public func oldestCardCallAge() -> Duration? {
        let oldest = cardCalls.withLock { $0.started.values.min() }
        return oldest.map { ContinuousClock.now - $0 }
    }

    /// Records a card call starting; returns its ticket for `cardCallEnded`.
    func cardCallStarted() -> Int {
        cardCalls.withLock { calls in
            defer { calls.next += 1 }
            calls.started[calls.next] = ContinuousClock.now
            return calls.next
        }
    }

    func cardCallEnded(_ ticket: Int) {
        _ = cardCalls.withLock { $0.started.removeValue(forKey: ticket) }
    }
}

/// The card calls under way, by ticket, with the time each started.
struct CardCalls {
    var started: [Int: ContinuousClock.Instant] = [:]
    var next = 0
}
