#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A helper process (pcscd, a simulated card) tied to the process that started it: a small
/// watcher shell ends it when its parent dies, whatever the outcome, so neither a test run
/// nor `cps-bridge demo` ever leaves anything running, even when killed with SIGKILL.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `pid` is written once in init; stop() is idempotent.
    public let pid: Int32
    public let logPath: String
    private let watcher: SpawnedProcess

    /// Starts `arguments` with output appended to `logPath`.
    public init(_ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        let pidFile = logPath + ".pid"
        try? FileManager.default.removeItem(atPath: pidFile)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        // The watcher starts the child, writes its PID, and ends it if the parent process goes.
        let script = """
        parent=$1; pidfile=$2; shift 2
        "$@" >>"$LOG" 2>&1 &
        child=$!
        echo $child > "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.3; done
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
        """
        watcher = try SpawnedProcess("/bin/sh", ["-c", script, "sh", String(getpid()), pidFile] + arguments,
                                     environment: environment.merging(["LOG": logPath]) { _, log in log })
        let deadline = Date().addingTimeInterval(5)
        var found: Int32?
        while Date() < deadline {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
               let value = Int32(text.filter { !$0.isWhitespace }) {
                found = value
                break
            }
            usleep(10_000)
        }
        guard let found else { throw ChildProcessError("\(arguments[0]) did not start (see \(logPath))") }
        pid = found
    }

    /// Whether the child is still running.
    public var isRunning: Bool { kill(pid, 0) == 0 }

    /// Sends `signal` and waits (up to 5 s) until the child is gone.
    public func stop(signal: Int32 = SIGTERM) {
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(5)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning { kill(pid, SIGKILL); usleep(50_000) }
        watcher.wait()
    }

    /// The child's output so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { if isRunning { stop() } }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
