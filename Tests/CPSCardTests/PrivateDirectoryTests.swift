@testable import CPSCard
import CardTestBed
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's private directory and the OpenSC configuration written in it, on the real file
/// system: a directory that is not safely ours is refused and nothing goes through it.
@Suite struct PrivateDirectoryTests {
    /// A fresh folder for one test (removed at the end by the caller's defer).
    static func scratch() throws -> String {
        var template = Array((NSTemporaryDirectory() + "cpsb-private.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestBedError("mkdtemp: \(errno)") }
        return String(cString: made)
    }

    /// The permission bits of `path` itself (a link is not followed).
    static func mode(_ path: String) -> mode_t {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType != .typeSymbolicLink,
              let bits = attributes[.posixPermissions] as? Int else { return 0 }
        return mode_t(bits) & 0o7777
    }

    static func entries(_ path: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }

    @Test func aFreshDirectoryIsMadePrivateAndTheConfigurationHoldsTheCard() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = try PrivateDirectory(path: root + "/cps-bridge")
        #expect(Self.mode(directory.path) == 0o700)
        let conf = try directory.write(CardModule.openSCConfiguration, to: "opensc.conf")
        #expect(Self.mode(conf) == 0o600)
        let text = try String(contentsOfFile: conf, encoding: .utf8)
        #expect(text.contains("use_pin_caching = false;"))
        #expect(text.contains("pkcs11 {") && text.contains("lock_login = true;"))
        // Written again (a restart): replaced, no temporary file left behind.
        try directory.write(CardModule.openSCConfiguration, to: "opensc.conf")
        #expect(Self.entries(directory.path) == ["opensc.conf"])
        // An existing private directory of ours is accepted as it is.
        _ = try PrivateDirectory(path: directory.path)
    }

    @Test func aDirectoryOfAnotherUserIsRefusedAndNothingIsWrittenThroughIt() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/cps-bridge"
        #expect(mkdir(path, 0o700) == 0)
        guard let nobody = getpwnam("nobody") else { throw TestBedError("no nobody account") }
        // Root can give it away; another user cannot, so this test needs root (as CI runs).
        guard chown(path, nobody.pointee.pw_uid, nobody.pointee.pw_gid) == 0 else {
            if TestEnvironment.isCI { Issue.record("chown to nobody failed (errno \(errno)): run the tests as root") }
            return
        }
        #expect(throws: PrivateDirectoryError.foreignOwner(path: path, owner: nobody.pointee.pw_uid)) { try PrivateDirectory(path: path) }
        #expect(throws: PrivateDirectoryError.self) {
            try CardModule.load(path: "/nonexistent.so", runtimeDirectory: path, logger: Logger(label: "t"), environment: [:])
        }
        #expect(Self.entries(path).isEmpty, "something was written into a foreign directory")
    }

    @Test func aSymbolicLinkIsRefusedAndItsTargetLeftAlone() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/elsewhere"
        #expect(mkdir(target, 0o700) == 0)
        let path = root + "/cps-bridge"
        #expect(symlink(target, path) == 0)
        #expect(throws: PrivateDirectoryError.symbolicLink(path: path)) { try PrivateDirectory(path: path) }
        #expect(throws: PrivateDirectoryError.self) {
            try CardModule.load(path: "/nonexistent.so", runtimeDirectory: path, logger: Logger(label: "t"), environment: [:])
        }
        #expect(Self.entries(target).isEmpty, "something was written through the link")
    }

    /// The real command: `cps-bridge status` with `XDG_RUNTIME_DIR/cps-bridge` a link to a
    /// folder of ours says why it loads no module, and writes nothing through the link.
    @Test func theDaemonRefusesALinkedDirectoryAndSaysWhy() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/elsewhere"
        #expect(mkdir(target, 0o700) == 0)
        #expect(symlink(target, root + "/cps-bridge") == 0)
        let process = Process()
        process.executableURL = TestEnvironment.binDirectory.appendingPathComponent("cps-bridge")
        process.arguments = ["status", "--json", "--pkcs11-module", TestEnvironment.openSCModulePath]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = root
        environment["OPENSC_CONF"] = ""
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let problems = try #require(json["problems"] as? [String])
        #expect(problems.contains { $0.contains("refusing the private directory \(root)/cps-bridge: it is a symbolic link") }, "\(problems)")
        #expect(Self.entries(target).isEmpty, "something was written through the link")
    }

    @Test func aDirectoryOthersMayEnterIsRefused() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/cps-bridge"
        #expect(mkdir(path, 0o700) == 0)
        #expect(chmod(path, 0o777) == 0)
        #expect(throws: PrivateDirectoryError.openToOthers(path: path, mode: 0o777)) { try PrivateDirectory(path: path) }
        #expect(Self.entries(path).isEmpty)
    }

    @Test func aUsersOwnOpenSCConfigurationIsKept() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // OPENSC_CONF set by the user: no private directory is made, whatever the path.
        #expect(throws: (any Error).self) {
            try CardModule.load(path: "/nonexistent.so", runtimeDirectory: root + "/never", logger: Logger(label: "t"),
                                environment: ["OPENSC_CONF": root + "/theirs.conf"])
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/never"))
    }
}
