import CProcessControl
#if canImport(Glibc)
import Glibc
#endif

/// A program started with posix_spawn: the pinentry the daemon talks to and the `systemctl`
/// doctor asks (standard input and output on pipes of ours, standard error on /dev/null), or a
/// server the bench runs (output appended to a log). Foundation-free, so that the daemon links
/// neither Foundation's `Process` nor ICU.
///
/// The child gets no descriptor of ours but its standard input, output and error, and starts
/// with no signal blocked and every signal at its default: a thread of ours
/// may block SIGTERM and SIGINT (signal handling by ServiceLifecycle), and a child that
/// inherited that mask would ignore `terminate()`, as children of Foundation's `Process` do.
public final class SpawnedProcess: @unchecked Sendable {
    // @unchecked: the owner uses one instance from one thread at a time (the pinentry's
    // conversation, doctor's check, the bench's runner); `status` is set once, at the reaping.
    public let pid: pid_t
    /// Our end of the child's standard input (-1 once closed, or for a log).
    public private(set) var inputFD: Int32
    /// Our end of the child's standard output (-1 once closed, or for a log).
    public private(set) var outputFD: Int32
    private var status: Int32?

    /// Where the child's standard output (and for a log, its standard error) goes.
    public enum Output: Sendable {
        /// Pipes of ours for standard input and output (`write`, `readToEnd`); standard error
        /// to /dev/null.
        case pipes
        /// Standard output and error appended to this file; standard input from /dev/null.
        case appending(toFile: String)
    }

    /// Starts `program` (an absolute path) with `arguments`, in this process's environment
    /// with `environment`'s variables added or replaced.
    /// - Parameter newSession: the child leads a session and process group of its own
    ///   (`POSIX_SPAWN_SETSID`), so that `stop(group: true)` also ends what it starts.
    public init(_ program: String, _ arguments: [String] = [], environment: [String: String] = [:],
                output: Output = .pipes, newSession: Bool = false) throws {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch output {
        case .pipes:
            guard Self.closeOnExecPipe(&toChild) else { throw ChildProcessError("pipe: \(Self.reason())") }
            guard Self.closeOnExecPipe(&fromChild) else {
                Self.closeAll(toChild)
                throw ChildProcessError("pipe: \(Self.reason())")
            }
            posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .appending(let path):
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Nothing else of ours reaches the child: a descriptor opened elsewhere in this process
        // without close-on-exec (a file being written, a socket) would otherwise be inherited.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var attributes = Self.cleanSignalAttributes(newSession: newSession)
        defer { posix_spawnattr_destroy(&attributes) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = Self.environment(adding: environment)
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        // The child's ends are the child's: without closing ours, its death would give no EOF.
        Self.closeAll([toChild[0], fromChild[1]])
        guard result == 0 else {
            Self.closeAll([toChild[1], fromChild[0]])
            throw ChildProcessError("\(program): \(String(cString: strerror(result)))")
        }
        pid = child
        inputFD = toChild[1]
        outputFD = fromChild[0]
    }

    /// Writes all of `bytes` to the child's standard input.
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(inputFD, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ChildProcessError("write to \(pid): \(Self.reason())")
            }
            offset += written
        }
    }

    /// Everything the child writes until it closes its standard output.
    public func readToEnd() -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while outputFD >= 0 {
            let count = read(outputFD, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            all += chunk[..<count]
        }
        return all
    }

    /// Closes our end of the child's standard input (it then reads end of file).
    public func closeInput() {
        if inputFD >= 0 { Glibc.close(inputFD); inputFD = -1 }
    }

    /// Whether the child still runs (it is reaped, without waiting, once it has ended).
    public var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = Self.exitStatus(raw)
        closeAll()
        return false
    }

    /// Sends SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// Sends `signal` to the child (to its whole process group with `group`, for a child
    /// started with `newSession`), unless it has been reaped (its pid may be another's then).
    public func signal(_ signal: Int32, group: Bool = false) {
        if status == nil { _ = kill(group ? -pid : pid, signal) }
    }

    /// Waits for the child to end, closes our ends, and returns its exit status (128 + the
    /// signal's number when a signal ended it).
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        closeInput()
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        closeAll()
        let ended = Self.exitStatus(raw)
        status = ended
        return ended
    }

    /// Waits up to `timeout` for the child to end; false if it still runs.
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            usleep(2_000)
        }
        return true
    }

    /// `first` (SIGTERM by default), then SIGKILL after `grace`; returns once the child is
    /// gone. With `group`, the signals go to the child's process group (see `newSession`).
    public func stop(_ first: Int32 = SIGTERM, grace: Duration = .seconds(5), group: Bool = false) {
        signal(first, group: group)
        if !wait(timeout: grace) {
            signal(SIGKILL, group: group)
            wait()
        }
    }

    deinit {
        if status == nil { stop(grace: .seconds(1)) }
        closeAll()
    }

    private func closeAll() {
        closeInput()
        if outputFD >= 0 { Glibc.close(outputFD); outputFD = -1 }
    }

    private static func closeAll(_ descriptors: [Int32]) {
        for descriptor in descriptors where descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// The exit code, or 128 + the signal's number when a signal ended the child.
    private static func exitStatus(_ raw: Int32) -> Int32 {
        raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }

    /// glibc's `POSIX_SPAWN_SETSID` (2.26 and later), a GNU extension Swift does not import.
    private static let spawnSetSID: Int32 = 0x80

    /// Spawn attributes that give the child an empty signal mask and default dispositions,
    /// and with `newSession` a session of its own.
    private static func cleanSignalAttributes(newSession: Bool) -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? spawnSetSID : 0)))
        return attributes
    }

    /// A pipe whose ends are closed in any program this process starts (Glibc's module has
    /// no pipe2); the spawned child gets its own ends by dup2, which clears the flag.
    private static func closeOnExecPipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// This process's environment with `extra` added, as C strings (nil-terminated).
    private static func environment(adding extra: [String: String]) -> [UnsafeMutablePointer<CChar>?] {
        var entries: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if extra[String(text.prefix { $0 != "=" })] == nil { entries.append(text) }
            entry += 1
        }
        entries += extra.map { "\($0.key)=\($0.value)" }
        return entries.map { strdup($0) } + [nil]
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
