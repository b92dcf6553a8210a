import ChildProcesses
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bench's servers and `strace` are `SpawnedProcess`es (ChildProcesses) with their output
/// appended to a log: started with an empty signal mask and default dispositions, so that
/// SIGTERM ends them (Foundation's `Process` would hand them the spawning thread's mask).
extension SpawnedProcess {
    /// Starts `arguments[0]` with the rest, output appended to `logPath`.
    convenience init(_ arguments: [String], environment: [String: String]? = nil, logPath: String) throws {
        try self.init(arguments[0], Array(arguments.dropFirst()), environment: environment ?? [:],
                      output: .appending(toFile: logPath))
    }

    /// Waits up to `timeout` seconds for the child to end; false if it still runs.
    @discardableResult
    func wait(timeout: TimeInterval) -> Bool {
        wait(timeout: .milliseconds(Int(timeout * 1000)))
    }
}

/// A small shell that sends SIGTERM to `pid` once this process is gone, so that a killed bench
/// leaves no server or strace behind. It polls every 0.5 s, in a process of its own.
func tieToThisProcess(_ pid: pid_t, logPath: String = "/dev/null") throws -> SpawnedProcess {
    try SpawnedProcess(["/bin/sh", "-c", "while kill -0 $0 2>/dev/null && kill -0 $1 2>/dev/null; do sleep 0.5; done; kill -TERM $1 2>/dev/null",
                        String(getpid()), String(pid)], logPath: logPath)
}
