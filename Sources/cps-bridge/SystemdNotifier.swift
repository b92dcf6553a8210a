#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The service manager's notification protocol (`sd_notify(3)`), in a few lines of our own
/// rather than libsystemd: one datagram of `KEY=value` lines sent to the `AF_UNIX` socket that
/// `NOTIFY_SOCKET` names (a path, or an abstract name written `@name`).
struct SystemdNotifier: Sendable {
    /// The notification socket's address as `NOTIFY_SOCKET` gives it.
    let socketPath: String
    /// Half the watchdog timeout (`WATCHDOG_USEC`) when systemd watches this process.
    let watchdogInterval: Duration?

    /// The variables read here, removed at start so that no child (the PIN prompt) inherits them.
    static let variables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    /// The notifier systemd gave this process, or `nil` when it runs without one (a terminal,
    /// `Type=simple`). Removes the variables from the environment either way.
    static func fromEnvironment() -> SystemdNotifier? {
        var environment: [String: String] = [:]
        for name in variables {
            if let value = getenv(name) { environment[name] = String(cString: value) }
            unsetenv(name)
        }
        return SystemdNotifier(environment: environment, pid: getpid())
    }

    /// The notifier `environment` describes for process `pid`: the watchdog only when
    /// `WATCHDOG_PID` is absent or names `pid` (as `sd_watchdog_enabled(3)` reads it).
    init?(environment: [String: String], pid: Int32) {
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@"), path.utf8.count < 108 else { return nil }
        socketPath = path
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == pid } ?? true
        if forUs, let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 {
            watchdogInterval = .microseconds(Int64(microseconds / 2))
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends `lines` (`READY=1`, `STATUS=...`) in one datagram; false when it could not be sent.
    @discardableResult
    func send(_ lines: String...) -> Bool {
        let message = Array(lines.joined(separator: "\n").utf8)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 } // an abstract socket: no trailing NUL
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, message, message.count, Int32(MSG_NOSIGNAL), $0, length) }
        }
        return sent == message.count
    }
}
