import ArgumentParser
import CommandSupport
import BridgeServer
import CPSCard
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import ServiceLifecycle
import Synchronization

extension ServeCommand {
    /// The exit status of a configuration the daemon cannot serve with (`EX_CONFIG`).
    static let configurationExitCode: Int32 = 78

    /// The card worker's watchdog when systemd watches this process (`WatchdogSec=`): pings at
    /// half the timeout, and none once a card call has been blocked for twice the operation
    /// timeout. `CPS_BRIDGE_TEST_STOP_WATCHDOG=1` (a test hook) stops the pings after the first.
    static func watchdog(_ notifier: SystemdNotifier, operationTimeout: Duration, environment: [String: String], logger: Logger) -> CardWatchdog? {
        guard let interval = notifier.watchdogInterval else { return nil }
        let stopAfterFirst = environment["CPS_BRIDGE_TEST_STOP_WATCHDOG"] == "1"
        if stopAfterFirst { logger.warning("test hook CPS_BRIDGE_TEST_STOP_WATCHDOG=1: the watchdog pings stop after the first") }
        let sent = SentCount()
        return CardWatchdog(interval: interval, wedgedAfter: operationTimeout * 2) {
            guard !stopAfterFirst || sent.next() == 0 else { return }
            notifier.send("WATCHDOG=1")
        }
    }

    /// One line for the journal saying why the daemon will not serve, and how to fix it.
    static func explain(_ error: ConfigurationError, file: String?) -> String {
        let source = file.map { " (configuration file \($0))" } ?? ""
        switch error {
        case .noOrigin:
            let whereToAdd = file.map { "add a line `allow-origin = https://...` to \($0)" } ?? "give --allow-origin https://..."
            return "refusing to serve: no origin is allowed\(source). A sysadmin must allow the federator's login page: \(whereToAdd) "
                + "(docs/INSTALL.md, \"Allowing origins\"), then restart the daemon (systemctl --user restart cps-bridge.service); `cps-bridge doctor` checks the setup"
        default:
            return "refusing to serve: the configuration is invalid\(source): \(error); `cps-bridge doctor` checks the setup"
        }
    }

    /// Writes `line` on standard error (the journal under systemd), then: started by the socket
    /// unit, closes every connection until stopped (`RefusingService`); else exits 78
    /// (`EX_CONFIG`), which the units name in `RestartPreventExitStatus=`, a restart cannot fix
    /// a configuration.
    static func refuseToServe(_ line: String, error: ConfigurationError?) async throws {
        let socket = try? InheritedSocket.fromSystemd()
        let notifier = SystemdNotifier.fromEnvironment()
        let closing = socket == nil ? "" : "; until then every connection is closed"
        StandardStream.error.say("cps-bridge: \(line)\(closing)")
        guard let socket else { throw ExitCode(configurationExitCode) }
        let status = error == .noOrigin ? "Refusing to serve: no origin allowed (cps-bridge doctor)" : "Refusing to serve: invalid configuration (cps-bridge doctor)"
        let group = ServiceGroup(services: [RefusingService(socket: socket, status: status, notifier: notifier)],
                                 logger: Logger(label: "cps-bridge"))
        ShutdownSignals.onSignal { Task { await group.triggerGracefulShutdown() } }
        try await group.run()
    }
}

/// Counts calls, from any thread.
final class SentCount: Sendable {
    private let count = Mutex(0)
    /// The count before this call.
    func next() -> Int {
        count.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
