import CProcessControl
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What the daemon does to its own process before it touches a card or a socket.
public enum ProcessHardening {
    /// Makes the process not dumpable (`prctl(PR_SET_DUMPABLE, 0)`): no core dump, and no
    /// other process of the user may attach to it or read its memory through /proc; so a PIN
    /// in memory cannot leave the process that way. A write to a pipe whose reader is gone (a
    /// pinentry killed on cancellation) returns `EPIPE` instead of killing the daemon.
    public static func apply(logger: Logger) {
        if cps_bridge_set_not_dumpable() != 0 || cps_bridge_is_dumpable() != 0 {
            logger.warning("could not make the process non-dumpable (prctl PR_SET_DUMPABLE): errno \(errno)")
        } else {
            logger.debug("process not dumpable: no core dump, no ptrace by other processes of this user")
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// The logger handed to the HTTP and WebSocket libraries: at most `debug`. At `trace`
    /// they log connection events and the first bytes of every WebSocket frame, which carry a
    /// page's PIN; our own components keep the level asked for.
    public static func libraryLogger(_ logger: Logger) -> Logger {
        var capped = logger
        if capped.logLevel < .debug { capped.logLevel = .debug }
        return capped
    }
}
