import ArgumentParser
import CommandSupport
import BridgeServer
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// `cps-bridge doctor`: checks, in order, everything a login needs on this workstation, and
/// for each problem says what is wrong in a sentence and the command that fixes it. Exits 0
/// only when a login could work.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that a CPS card login can work here, and say how to fix what cannot.",
        discussion: """
        Checks in order: pcscd, readers, cards, the PKCS#11 module, each card's token, the configuration, the allowed origins, \
        who holds the daemon's port, the systemd units, the dispatcher (shared workstations), the browser's policies. \
        Exits 0 when a login could work, 1 otherwise. Spends no PIN try.
        """
    )

    @Flag(help: "Print one JSON document (the checks and the verdict) on standard output.")
    var json = false
    @Option(help: "The daemon's configuration file (default: CPS_BRIDGE_CONFIG, else /etc/cps-bridge/cps-bridge.conf).")
    var config: String?
    @Option(name: .customLong("pkcs11-module"), help: "The PKCS#11 module to check instead of the configured or discovered one.")
    var modulePath: String?
    @Option(help: "The daemon's port to check instead of the configured one.")
    var port: Int?
    @Option(help: .hidden)
    var root: String = "/"
    @Option(name: .customLong("log-level"), help: "Log level of the card layer on standard error (default critical: the checks say it all).")
    var logLevel: Logger.Level = .critical

    static let defaultConfigPath = "/etc/cps-bridge/cps-bridge.conf"
    static let dispatcherSocket = "/run/cps-bridge/dispatch.sock"

    /// The whole result, as `--json` prints it.
    struct Report: Encodable {
        let v = 1
        /// Whether a login could work: no check failed.
        let loginCanWork: Bool
        let checks: [DoctorCheck]
    }

    func run() async throws {
        bootstrapLogging(level: logLevel)
        let environment = ProcessInfo.processInfo.environment
        var checks = await cardStackChecks(environment: environment)
        let (configurationChecks, configured) = configurationChecks(environment: environment)
        checks += configurationChecks
        let dispatchMode = FileManager.default.fileExists(atPath: path(Self.dispatcherSocket))
        let port = port ?? configured?.port ?? 24830
        let portCheck = portCheck(port: port, dispatchMode: dispatchMode)
        checks.append(portCheck)
        checks.append(unitsCheck(dispatchMode: dispatchMode, portServed: portCheck.outcome == .ok))
        checks.append(dispatcherCheck(dispatchMode: dispatchMode))
        checks.append(browserCheck(origins: configured?.origins.allowed.sorted() ?? []))

        let report = Report(loginCanWork: !checks.contains { $0.outcome == .failed }, checks: checks)
        if json {
            try printJSON(report)
        } else {
            print(checks.map(\.text).joined(), terminator: "")
            print(report.loginCanWork ? "A login can work." : "A login cannot work until the FAILED checks are fixed.")
        }
        if !report.loginCanWork { throw ExitCode(1) }
    }

    /// `absolute` under `--root` (tests point it at a folder laid out like a system).
    func path(_ absolute: String) -> String {
        root == "/" ? absolute : URL(fileURLWithPath: root).appendingPathComponent(absolute).path
    }
}
