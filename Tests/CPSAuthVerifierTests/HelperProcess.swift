import ChildProcesses
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A helper server for the revocation tests (`openssl ocsp`, `python3 -m http.server`) on
/// loopback, a `SpawnedProcess` in a session and process group of its own (`newSession`),
/// with an empty signal mask and default dispositions: `stop()` SIGKILLs the whole group and
/// reaps the helper. (Foundation's `Process` would hand the
/// child this test process's mask, which blocks SIGTERM: such a helper never ends on
/// SIGTERM.) `deinit` stops it too, so a failed test leaves nothing running.
final class HelperProcess: @unchecked Sendable {
    // @unchecked: `process` is only stopped under `lock`.
    let log: URL
    private let process: SpawnedProcess
    private let lock = NSLock()
    var pid: pid_t { process.pid }

    /// Starts `executable arguments`, its output appended to `log`.
    init(_ executable: String, _ arguments: [String], log: URL) throws {
        self.log = log
        process = try SpawnedProcess(executable, arguments, output: .appending(toFile: log.path), newSession: true)
    }

    /// Kills the helper's process group (it leads its own session) and reaps it.
    func stop() {
        lock.withLock { process.stop(SIGKILL, grace: .seconds(5), group: true) }
    }

    /// What the helper printed so far.
    func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    deinit { stop() }

    /// A TCP port free on 127.0.0.1 now (bound to port 0, read back, closed).
    static func freePort() throws -> Int {
        try LoopbackPorts.free()
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port` (at most `seconds`).
    static func waitForListener(port: Int, seconds: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure("nothing listens on 127.0.0.1:\(port) after \(seconds) s")
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Whether the tests can run a helper: `/usr/bin/<name>` exists. Under CI (`CI=true`) the
    /// suites run regardless, so a missing tool fails them instead of skipping.
    static func available(_ name: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/\(name)") || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
