import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Extra Unix accounts for the tests of a shared workstation: "another user of this PC".
///
/// Created on first use with `useradd` (the tests run as root; each account is named
/// `cpsb-...`, has no password and no login shell), and kept: creating them again is a no-op.
/// Commands run as such an account through `setpriv` (util-linux), which drops every group
/// and capability, as a process of that user would have.
public enum UnixAccounts {
    /// Whether this process may create accounts and run commands as them.
    public static var canSwitchUsers: Bool { geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") }

    /// Run tests that need a second account: root, or CI (where missing root must fail).
    public static var runTests: Bool { TestEnvironment.isCI || canSwitchUsers }

    /// The UID and GID of account `name`, created if it does not exist yet.
    public static func ensure(_ name: String) throws -> (uid: UInt32, gid: UInt32) {
        precondition(name.hasPrefix("cpsb-"), "test accounts are named cpsb-...")
        guard canSwitchUsers else { throw TestBedError("creating the test account \(name) needs root and /usr/bin/setpriv") }
        if let found = lookup(name) { return found }
        let status = run(["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name])
        // 9: created meanwhile by a concurrent test process.
        guard status == 0 || status == 9, let created = lookup(name) else {
            throw TestBedError("useradd \(name) failed (status \(status))")
        }
        return created
    }

    /// `arguments` prefixed so that they run as account `name` (no groups, no capabilities).
    public static func command(as name: String, _ arguments: [String]) throws -> [String] {
        let (uid, gid) = try ensure(name)
        return ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--inh-caps=-all", "--"] + arguments
    }

    /// Runs `arguments` as account `name` and returns its status and output (stdout and stderr).
    public static func run(as name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        let full = try command(as: name, arguments)
        process.executableURL = URL(fileURLWithPath: full[0])
        process.arguments = Array(full.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private static func lookup(_ name: String) -> (uid: UInt32, gid: UInt32)? {
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    private static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
