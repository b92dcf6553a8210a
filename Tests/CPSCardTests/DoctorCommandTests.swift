import CardTestBed
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `cps-bridge doctor` as a sysadmin runs it, on the real bed (private pcscd, vpcd readers, the
/// simulated card, stock OpenSC): one distinct diagnosis per broken part, exit 0 when a login
/// could work. The systemd side is looked at in a folder laid out like a system (`--root`).
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(3)))
struct DoctorCommandTests {
    static let origin = "https://federator.test"

    /// A folder with the user units installed, enabled for every account or not.
    static func systemRoot(enabled: Bool) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cpsb-doctor-root-\(UUID().uuidString)")
        let units = root.appendingPathComponent("usr/lib/systemd/user")
        try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../systemd").standardized
        for unit in ["cps-bridge.socket", "cps-bridge.service", "cps-bridge-dispatched.service"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(unit), to: units.appendingPathComponent(unit))
        }
        if enabled {
            let wants = root.appendingPathComponent("etc/systemd/user/sockets.target.wants")
            try FileManager.default.createDirectory(at: wants, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: wants.appendingPathComponent("cps-bridge.socket").path,
                                                       withDestinationPath: "/usr/lib/systemd/user/cps-bridge.socket")
        }
        return root.path
    }

    /// A configuration file with `text`.
    static func config(_ text: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cpsb-doctor-\(UUID().uuidString).conf")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    static let allowing = "allow-origin = \(origin)\nallow-page-pin = \(origin)\n"

    /// Runs the doctor with `--json`; returns its exit status and each check's outcome and text.
    static func doctor(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, checks: [String: (outcome: String, text: String)]) {
        let process = Process()
        process.executableURL = TestEnvironment.binDirectory.appendingPathComponent("cps-bridge")
        process.arguments = ["doctor", "--json"] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        env["CPS_BRIDGE_CONFIG"] = nil
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var checks: [String: (String, String)] = [:]
        for check in json["checks"] as? [[String: Any]] ?? [] {
            let text = "\(check["summary"] as? String ?? "") | fix: \(check["fix"] as? String ?? "-")"
            checks[check["check"] as? String ?? "?"] = (check["outcome"] as? String ?? "?", text)
        }
        #expect((json["loginCanWork"] as? Bool) == (process.terminationStatus == 0))
        return (process.terminationStatus, checks)
    }

    /// A daemon on a free port, as the sysadmin's units would run it.
    static func withDaemon<T>(config: String, _ body: (Int) async throws -> T) async throws -> T {
        let port = try LoopbackPorts.free()
        let log = TestEnvironment.artifactsDirectory.appendingPathComponent("doctor-serve-\(port).log").path
        let daemon = try await ServeProcess.start(["--config", config, "--listen", "127.0.0.1:\(port)"], logPath: log)
        defer { daemon.stop() }
        return try await body(port)
    }

    @Test func aWorkingBedPassesAndEachBrokenPartHasItsOwnDiagnosis() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let enabled = try Self.systemRoot(enabled: true)
            let good = try Self.config(Self.allowing)
            try await Self.withDaemon(config: good) { port in
                let common = ["--root", enabled, "--port", "\(port)"]
                let working = try Self.doctor(common + ["--config", good])
                #expect(working.status == 0, "\(working.checks)")
                for name in ["pcscd", "readers", "cards", "pkcs11-module", "tokens", "configuration", "origins", "port", "units"] {
                    #expect(working.checks[name]?.outcome == "ok", "\(name): \(working.checks[name]?.text ?? "missing")")
                }
                #expect(working.checks["tokens"]?.text.contains("899700012345") == true)

                let noModule = try Self.doctor(common + ["--config", good, "--pkcs11-module", "/nonexistent/module.so"])
                #expect(noModule.status == 1)
                #expect(noModule.checks["pkcs11-module"]?.outcome == "failed")
                #expect(noModule.checks["pkcs11-module"]?.text.contains("no PKCS#11 module") == true)

                let invalid = try Self.doctor(common + ["--config", try Self.config(Self.allowing + "listen = 0.0.0.0:24830\n")])
                #expect(invalid.status == 1)
                #expect(invalid.checks["configuration"]?.outcome == "failed")
                #expect(invalid.checks["configuration"]?.text.contains("listen") == true)

                let noOrigin = try Self.doctor(common + ["--config", try Self.config("log-level = info\n")])
                #expect(noOrigin.status == 1)
                #expect(noOrigin.checks["configuration"]?.outcome == "ok")
                #expect(noOrigin.checks["origins"]?.outcome == "failed")
                #expect(noOrigin.checks["origins"]?.text.contains("allow-origin = https://") == true)
            }
            let noDaemon = try LoopbackPorts.free()
            let notEnabled = try Self.doctor(["--root", try Self.systemRoot(enabled: false), "--port", "\(noDaemon)", "--config", good])
            #expect(notEnabled.status == 1)
            #expect(notEnabled.checks["units"]?.outcome == "failed")
            #expect(notEnabled.checks["units"]?.text.contains("not enabled") == true)
            #expect(notEnabled.checks["units"]?.text.contains("systemctl --global enable cps-bridge.socket") == true)
        }
    }

    @Test func pcscdNotRunning() throws {
        let result = try Self.doctor(["--config", try Self.config(Self.allowing), "--root", try Self.systemRoot(enabled: true)],
                                     environment: ["PCSCLITE_CSOCK_NAME": "/nonexistent/pcscd.comm"])
        #expect(result.status == 1)
        #expect(result.checks["pcscd"]?.outcome == "failed")
        #expect(result.checks["pcscd"]?.text.contains("pcscd is not running") == true)
        #expect(result.checks["pcscd"]?.text.contains("systemctl enable --now pcscd.socket") == true)
        #expect(result.checks["readers"]?.outcome == "skipped")
    }

    @Test func portHeldByAnotherProgram() throws {
        let listener = try OtherProgram()
        defer { listener.stop() }
        let result = try Self.doctor(["--config", try Self.config(Self.allowing), "--root", try Self.systemRoot(enabled: true), "--port", "\(listener.port)"])
        #expect(result.status == 1)
        #expect(result.checks["port"]?.outcome == "failed")
        #expect(result.checks["port"]?.text.contains("another program holds 127.0.0.1:\(listener.port)") == true)
    }

    @Test func cardNotRecognised() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try ForeignCard(port: readers[0].port, atr: [0x3B, 0x02, 0x14, 0x50])
            defer { card.stop() }
            let deadline = ContinuousClock.now + .seconds(10)
            var result = try Self.doctor(["--config", try Self.config(Self.allowing), "--root", try Self.systemRoot(enabled: true)])
            while result.checks["cards"]?.text.contains("card not recognised") != true, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(300))
                result = try Self.doctor(["--config", try Self.config(Self.allowing), "--root", try Self.systemRoot(enabled: true)])
            }
            #expect(result.status == 1)
            #expect(result.checks["cards"]?.text.contains("card not recognised") == true)
            #expect(result.checks["cards"]?.text.contains("3B 02 14 50") == true)
        }
    }
}

/// A program that is not cps-bridge listening on a loopback port: answers any request with a
/// page of its own.
final class OtherProgram: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 8) == 0 else { close(fd); throw TestBedError("cannot listen on loopback") }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(connection, &buffer, buffer.count, 0)
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>another program</html>".utf8)
                _ = send(connection, answer, answer.count, Int32(MSG_NOSIGNAL))
                close(connection)
            }
        }
    }

    func stop() { shutdown(descriptor, Int32(SHUT_RDWR)); close(descriptor) }
}

/// A card that is not a CPx card in a vpcd reader: answers its ATR, and 6D00 to any APDU
/// (vpcd's protocol: 2-byte length, then 1-byte commands or an APDU).
final class ForeignCard: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int, atr: [UInt8]) throws {
        let deadline = Date().addingTimeInterval(10)
        var connected: Int32 = -1
        while connected < 0 && Date() < deadline {
            if case .success(let fd) = LoopbackPorts.connect(port, receiveTimeoutSeconds: 0) { connected = fd } else { usleep(100_000) }
        }
        guard connected >= 0 else { throw TestBedError("vpcd on port \(port) did not accept the card") }
        descriptor = connected
        let fd = connected
        Thread.detachNewThread {
            func read(_ count: Int) -> [UInt8]? {
                var bytes = [UInt8](repeating: 0, count: count)
                var got = 0
                while got < count {
                    let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
                    guard n > 0 else { return nil }
                    got += n
                }
                return bytes
            }
            func write(_ bytes: [UInt8]) {
                let frame = [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
                _ = send(fd, frame, frame.count, Int32(MSG_NOSIGNAL))
            }
            while let header = read(2), let body = read(Int(header[0]) << 8 | Int(header[1])) {
                if body.count == 1 {
                    if body[0] == 0x04 { write(atr) }
                } else {
                    write([0x6D, 0x00])
                }
            }
        }
    }

    func stop() { shutdown(descriptor, Int32(SHUT_RDWR)); close(descriptor) }
}
