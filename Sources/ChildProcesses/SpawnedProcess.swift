#if canImport(Glibc)
import Glibc
#endif

/// A program started with posix_spawn, its standard input and output on pipes of ours and
/// its standard error on /dev/null: the pinentry the daemon talks to, the `systemctl` doctor
/// asks. Foundation-free, so that the daemon links neither Foundation's `Process` nor ICU.
public final class SpawnedProcess: @unchecked Sendable {
    // @unchecked: the descriptors are closed at most once (close is idempotent per end, and
    // the owner uses one instance from one thread at a time); `status` is set once by wait().
    public let pid: pid_t
    /// Our end of the child's standard input (-1 once closed).
    public private(set) var inputFD: Int32
    /// Our end of the child's standard output (-1 once closed).
    public private(set) var outputFD: Int32
    private var status: Int32?

    /// Starts `program` (an absolute path) with `arguments`, in this process's environment
    /// with `environment`'s variables added or replaced.
    public init(_ program: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws {
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard Self.closeOnExecPipe(&toChild) else { throw ChildProcessError("pipe: \(Self.reason())") }
        guard Self.closeOnExecPipe(&fromChild) else {
            Glibc.close(toChild[0]); Glibc.close(toChild[1])
            throw ChildProcessError("pipe: \(Self.reason())")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = Self.environment(adding: environment)
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, nil, argv, envp)
        // The child's ends are the child's: without closing ours, its death would give no EOF.
        Glibc.close(toChild[0])
        Glibc.close(fromChild[1])
        guard result == 0 else {
            Glibc.close(toChild[1]); Glibc.close(fromChild[0])
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
        while true {
            let count = read(outputFD, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return all }
            all += chunk[..<count]
        }
    }

    /// Closes our end of the child's standard input (it then reads end of file).
    public func closeInput() {
        if inputFD >= 0 { Glibc.close(inputFD); inputFD = -1 }
    }

    /// Whether the child has not been reaped yet and still runs.
    public var isRunning: Bool { status == nil && kill(pid, 0) == 0 }

    /// Sends SIGTERM.
    public func terminate() { _ = kill(pid, SIGTERM) }

    /// Waits for the child to end, closes our ends, and returns its exit status (128 + the
    /// signal's number when a signal ended it).
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        closeInput()
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        if outputFD >= 0 { Glibc.close(outputFD); outputFD = -1 }
        let ended = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
        status = ended
        return ended
    }

    deinit {
        if status == nil {
            if kill(pid, 0) == 0 { terminate() }
            wait()
        }
    }

    /// This process's environment with `extra` added, as C strings (nil-terminated).
    private static func environment(adding extra: [String: String]) -> [UnsafeMutablePointer<CChar>?] {
        var entries: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            let name = text.prefix { $0 != "=" }
            if extra[String(name)] == nil { entries.append(text) }
            entry += 1
        }
        entries += extra.map { "\($0.key)=\($0.value)" }
        return entries.map { strdup($0) } + [nil]
    }

    /// A pipe whose ends are closed in any program this process starts (Glibc's module has
    /// no pipe2); the spawned child gets its own ends by dup2, which clears the flag.
    private static func closeOnExecPipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
