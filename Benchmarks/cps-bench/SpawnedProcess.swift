import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child started with `posix_spawn` and a clean signal state.
///
/// Foundation's `Process` hands its children the signal mask of the thread that spawns them,
/// which here blocks nearly every signal, SIGTERM and SIGINT included: a daemon started that
/// way ignores SIGTERM (it then only ends by SIGKILL) and `strace` never detaches. Servers and
/// `strace` are started with an empty mask and default dispositions instead, output appended
/// to `logPath`.
final class SpawnedProcess: @unchecked Sendable {
    // @unchecked: `exited` is only touched by the thread that owns the object.
    let pid: pid_t
    private var exited = false

    init(_ arguments: [String], environment: [String: String]? = nil, logPath: String) throws {
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, env)
        guard status == 0 else { throw BenchError("posix_spawn \(arguments[0]): error \(status)") }
        self.pid = pid
    }

    /// Whether the child still runs (reaps it once it has exited).
    var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return !exited
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits up to `timeout` for the child to end; false if it still runs.
    @discardableResult
    func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            guard Date() < deadline else { return false }
            usleep(2_000)
        }
        return true
    }

    /// `signal` (SIGTERM by default), then SIGKILL after `grace` seconds; waits until it is gone.
    func stop(_ first: Int32 = SIGTERM, grace: TimeInterval = 5) {
        signal(first)
        if !wait(timeout: grace) {
            signal(SIGKILL)
            wait(timeout: 5)
        }
    }

    deinit { stop() }
}

/// A small shell that sends SIGTERM to `pid` once this process is gone, so that a killed bench
/// leaves no server or strace behind. It polls every 0.5 s, in a process of its own.
func tieToThisProcess(_ pid: pid_t, logPath: String = "/dev/null") throws -> SpawnedProcess {
    try SpawnedProcess(["/bin/sh", "-c", "while kill -0 $0 2>/dev/null && kill -0 $1 2>/dev/null; do sleep 0.5; done; kill -TERM $1 2>/dev/null",
                        String(getpid()), String(pid)], logPath: logPath)
}
