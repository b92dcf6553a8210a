/// A liveness ping from the card worker (systemd's `WATCHDOG=1`): `CardService` calls `ping`
/// every `interval` while no card call has been under way longer than `wedgedAfter`. A card
/// call that blocks for good (a wedged reader or PKCS#11 module) cannot be interrupted; the
/// pings then stop, and the service manager restarts the daemon once its watchdog expires.
public struct CardWatchdog: Sendable {
    /// Time between pings: half the service manager's watchdog timeout or less.
    public var interval: Duration
    /// How long one card call may run before the card worker counts as wedged.
    public var wedgedAfter: Duration
    /// Sends the ping.
    public var ping: @Sendable () -> Void

    public init(interval: Duration, wedgedAfter: Duration, ping: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.wedgedAfter = wedgedAfter
        self.ping = ping
    }
}
