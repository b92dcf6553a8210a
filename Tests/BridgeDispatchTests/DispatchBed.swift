import CardTestBed
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A shared PC on this machine: `cps-bridge dispatch` running as its own account
/// (`cpsb-dispatch`) on two free ports (127.0.0.1 and ::1), and `cps-bridge serve --dispatcher`
/// daemons started as test accounts, each with its own allowed origin.
final class DispatchBed: @unchecked Sendable {
    static let dispatcherAccount = "cpsb-dispatch"
    let directory: URL
    let registry: String
    let port4: Int
    let port6: Int
    private(set) var dispatcher: ChildProcess?
    private var daemons: [String: ChildProcess] = [:]
    private var starts = 0

    static var binary: String { TestEnvironment.binDirectory.appendingPathComponent("cps-bridge").path }

    /// The origin `account`'s daemon allows: proves whose daemon answered.
    static func origin(of account: String) -> String { "https://\(account).example" }

    init() throws {
        directory = URL(fileURLWithPath: "/tmp/cpsb-dispatch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (uid, gid) = try UnixAccounts.ensure(Self.dispatcherAccount)
        // The dispatcher creates its socket here; every account may go through.
        chown(directory.path, uid, gid)
        chmod(directory.path, 0o755)
        registry = directory.appendingPathComponent("dispatch.sock").path
        port4 = try LoopbackPorts.free()
        port6 = try LoopbackPorts.free()
    }

    /// Starts (or restarts) the dispatcher and waits until it serves.
    func startDispatcher() async throws {
        let process = try ChildProcess(
            try UnixAccounts.command(as: Self.dispatcherAccount, [Self.binary, "dispatch", "--listen", "127.0.0.1:\(port4)",
                                                                  "--listen", "[::1]:\(port6)", "--registry", registry, "--log-level", "debug"]),
            logPath: directory.appendingPathComponent("dispatcher-\(port4)-\(dispatcher == nil ? 1 : 2).log").path)
        dispatcher = process
        try await Self.wait(for: "dispatching", in: process, what: "the dispatcher")
    }

    /// Starts `account`'s daemon and waits until its log says `waitFor`.
    @discardableResult
    func startDaemon(_ account: String, waitFor: String = "registered with the dispatcher") async throws -> ChildProcess {
        let (uid, gid) = try UnixAccounts.ensure(account)
        let runtime = directory.appendingPathComponent("runtime-\(account)")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        chown(runtime.path, uid, gid)
        chmod(runtime.path, 0o700)
        starts += 1
        let logPath = directory.appendingPathComponent("\(account)-\(starts).log").path
        let process = try ChildProcess(
            try UnixAccounts.command(as: account, [Self.binary, "serve", "--dispatcher", registry, "--allow-origin", Self.origin(of: account),
                                                   "--log-level", "debug"]),
            logPath: logPath, environment: ["XDG_RUNTIME_DIR": runtime.path, "HOME": runtime.path, "TMPDIR": runtime.path])
        daemons[account] = process
        try await Self.wait(for: waitFor, in: process, what: "\(account)'s daemon")
        return process
    }

    func daemon(_ account: String) -> ChildProcess? { daemons[account] }

    func stop() {
        for daemon in daemons.values where daemon.isRunning { daemon.stop() }
        dispatcher?.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits (10 s at most) until `text` appears in `process`'s log after `after` characters.
    static func wait(for text: String, in process: ChildProcess, what: String, after: Int = 0) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !String(process.log.dropFirst(after)).contains(text) {
            guard ContinuousClock.now < deadline, process.isRunning else { throw TestBedError("\(what) did not start: \(process.log)") }
            try await Task.sleep(for: .milliseconds(25))
        }
    }
}
