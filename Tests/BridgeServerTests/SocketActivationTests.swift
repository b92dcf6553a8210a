import BridgeServer
import CardTestBed
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// How `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` are read (`sd_listen_fds(3)`).
@Suite(.serialized) struct ListenVariablesTests {
    static let pid: Int32 = 4242

    @Test(arguments: [
        ([:], nil),
        (["LISTEN_PID": "4242", "LISTEN_FDS": "1"], 3),
        (["LISTEN_PID": "4242", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "cps-bridge.socket"], 3),
        // Meant for another process (the variables leaked from a parent): ignored.
        (["LISTEN_PID": "4243", "LISTEN_FDS": "1"], nil),
        (["LISTEN_PID": "4242", "LISTEN_FDS": "0"], nil),
        (["LISTEN_FDS": "1"], nil),
    ] as [([String: String], Int32?)])
    func theVariablesGiveFileDescriptorThree(environment: [String: String], descriptor: Int32?) throws {
        #expect(try InheritedSocket.passedDescriptor(environment: environment, pid: Self.pid)?.0 == descriptor)
    }

    @Test func theSocketNameComesFromListenFDNames() throws {
        let named = try InheritedSocket.passedDescriptor(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "cps-bridge.socket"],
                                                         pid: Self.pid)
        #expect(named?.1 == "cps-bridge.socket")
        #expect(try InheritedSocket.passedDescriptor(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "1"], pid: Self.pid)?.1 == nil)
    }

    @Test(arguments: [
        (["LISTEN_PID": "4242", "LISTEN_FDS": "2"], InheritedSocketError.severalSockets(2)),
        (["LISTEN_PID": "4242", "LISTEN_FDS": "one"], .badVariable("LISTEN_FDS", "one")),
        (["LISTEN_PID": "me", "LISTEN_FDS": "1"], .badVariable("LISTEN_PID", "me")),
    ] as [([String: String], InheritedSocketError)])
    func badOrSeveralSocketsAreRefused(environment: [String: String], error: InheritedSocketError) {
        #expect(throws: error) { try InheritedSocket.passedDescriptor(environment: environment, pid: Self.pid) }
    }

    @Test func theVariablesAreRemovedSoNoChildInheritsThem() throws {
        // For another process: nothing is taken, and the variables go all the same.
        setenv("LISTEN_PID", String(getpid() + 1), 1)
        setenv("LISTEN_FDS", "1", 1)
        setenv("LISTEN_FDNAMES", "cps-bridge.socket", 1)
        #expect(try InheritedSocket.fromSystemd() == nil)
        for name in InheritedSocket.variables { #expect(getenv(name) == nil, "\(name) left in the environment") }
    }
}

/// `cps-bridge serve` started as systemd starts it from a socket unit: a wrapper binds the
/// socket, puts it on descriptor 3, sets `LISTEN_PID` to its own PID (kept across `exec`) and
/// `LISTEN_FDS=1`, and execs the real binary.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct SocketActivationTests {
    /// `python3 -c activate FAMILY TYPE HOST PORT LISTEN PROGRAM ARGS...`
    static let activate = """
    import os, socket, sys
    kind, host, port, listening = sys.argv[1:5]
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port)))
    if listening == "listen":
        sock.listen(16)
    os.dup2(sock.fileno(), 3)
    os.set_inheritable(3, True)
    os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS="1", LISTEN_FDNAMES="cps-bridge.socket")
    os.execv(sys.argv[5], sys.argv[5:])
    """

    static func command(kind: String = "tcp", host: String, port: Int, listening: Bool = true) -> [String] {
        ["/usr/bin/python3", "-c", activate, kind, host, String(port), listening ? "listen" : "bound",
         TestEnvironment.binDirectory.appendingPathComponent("cps-bridge").path, "serve",
         // Never used: the socket from systemd takes its place.
         "--listen", "127.0.0.1:1", "--allow-origin", ServerTests.page]
    }

    @Test func serveTakesItsSocketFromSystemd() async throws {
        try await CardBed.shared().withReaders { _ in
            let port = try LoopbackPorts.free()
            let log = try CardBed.shared().directory.appendingPathComponent("socket-activation-\(port).log").path
            let daemon = try ChildProcess(Self.command(host: "127.0.0.1", port: port), logPath: log)
            defer { daemon.stop() }
            let deadline = ContinuousClock.now + .seconds(15)
            while !daemon.log.contains("listening on") {
                guard ContinuousClock.now < deadline, daemon.isRunning else { throw TestBedError("serve did not start: \(daemon.log)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(daemon.log.contains("listening on 127.0.0.1:\(port) (socket from systemd, fd 3, cps-bridge.socket)"), "\(daemon.log)")
            let status = try await ServerTests.http(port, "GET", "/v1/status")
            #expect(status.status == 200)
            #expect(status.json["readers"] is [Any])
            // The Host check follows the socket's port, not --listen's.
            let rebound = try await ServerTests.http(port, "GET", "/v1/status", headers: ["Host": "127.0.0.1:1"])
            #expect(ServerTests.errorCode(rebound) == "hostNotAllowed")
            // Same connections as on a bound address: refused upgrades get their 403.
            try await ServerTests.refuseForeignUpgrades(port: port)
            // ... and another account's connections get their 403 otherUser.
            if UnixAccounts.runTests {
                let answers = try OtherAccountTests.run(port: port, mode: "paths")
                #expect(answers.count == 7)
                answers.forEach { OtherAccountTests.expectOtherUser($0) }
            }
            // SIGTERM still ends it promptly (the quiescing of the inherited socket's connections).
            kill(daemon.pid, SIGTERM)
            let stopBy = ContinuousClock.now + .seconds(5)
            while daemon.isRunning && ContinuousClock.now < stopBy { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!daemon.isRunning, "serve ignored SIGTERM")
        }
    }

    @Test(arguments: [
        ("tcp", "0.0.0.0", true, "is bound to 0.0.0.0:PORT, not to loopback"),
        ("tcp", "127.0.0.1", false, "is not listening"),
        ("udp", "127.0.0.1", false, "is not a stream socket"),
    ])
    func aSocketServeWouldNotHaveMadeIsRefused(kind: String, host: String, listening: Bool, message: String) throws {
        let port = try LoopbackPorts.free()
        let process = Process()
        let command = Self.command(kind: kind, host: host, port: port, listening: listening)
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains("the socket systemd passed (fd 3) \(message.replacingOccurrences(of: "PORT", with: String(port)))"), "\(output)")
        #expect(!output.contains("listening on"))
    }
}
