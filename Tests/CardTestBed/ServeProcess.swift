import ChildProcesses
import Foundation

/// The real `cps-bridge serve` binary, started as a sysadmin's unit would start it.
public enum ServeProcess {
    /// Starts `cps-bridge serve` with `arguments` (output to `logPath`) and returns once it
    /// logs "listening on".
    /// - Throws: `TestBedError` when it exits or does not listen within 15 s.
    public static func start(_ arguments: [String], logPath: String) async throws -> ChildProcess {
        let daemon = try ChildProcess([TestEnvironment.binDirectory.appendingPathComponent("cps-bridge").path, "serve"] + arguments,
                                      logPath: logPath)
        let deadline = ContinuousClock.now + .seconds(15)
        while !((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("listening on") {
            guard ContinuousClock.now < deadline, daemon.isRunning else {
                daemon.stop()
                throw TestBedError("cps-bridge serve did not start: \(daemon.log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return daemon
    }
}
