import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A helper server for the revocation tests (`openssl ocsp`, `python3 -m http.server`) on
/// loopback, started with `posix_spawn` in a session and process group of its own
/// (`POSIX_SPAWN_SETSID`), with an empty signal mask and default dispositions: `stop()`
/// SIGKILLs the whole group and reaps the helper. (Foundation's `Process` would hand the
/// child this test process's mask, which blocks SIGTERM: such a helper never ends on
/// SIGTERM.) `deinit` stops it too, so a failed test leaves nothing running.
final class HelperProcess: @unchecked Sendable {
    let pid: pid_t
    let log: URL
    private let lock = NSLock()
    private var running = true

    /// Starts `executable arguments`, its output appended to `log`.
    init(_ executable: String, _ arguments: [String], log: URL) throws {
        self.log = log
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | Self.spawnSetSID))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        guard status == 0 else { throw Failure("posix_spawn \(executable): error \(status)") }
        self.pid = pid
    }

    /// glibc's `POSIX_SPAWN_SETSID` (since 2.26), which Swift does not import (a GNU extension).
    static let spawnSetSID: Int32 = 0x80

    /// Kills the helper's process group (it leads its own session) and reaps it.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard running else { return }
        running = false
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// What the helper printed so far.
    func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    deinit { stop() }

    /// A TCP port free on 127.0.0.1 now (bound to port 0, read back, closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
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
