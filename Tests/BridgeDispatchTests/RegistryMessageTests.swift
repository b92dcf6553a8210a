@testable import BridgeDispatch
import PeerCredentials
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The registration protocol's lines, read and written (docs/ARCHITECTURE.md).
@Suite struct RegistryMessageTests {
    @Test(arguments: [
        (RegistryMessage.register(version: 1, software: "cps-bridge/0.1.0"), "REGISTER 1 cps-bridge/0.1.0\n"),
        (.welcome(version: 1, uid: 1001, addresses: ["127.0.0.1:24830", "[::1]:24830"]), "WELCOME 1 1001 127.0.0.1:24830 [::1]:24830\n"),
        (.refused("version 2 is not spoken here"), "REFUSED version 2 is not spoken here\n"),
        (.connection, "CONNECTION\n"),
        (.replaced, "REPLACED\n"),
    ])
    func eachMessageIsOneLineReadBack(message: RegistryMessage, line: String) throws {
        #expect(message.line == line)
        #expect(try RegistryMessage(bytes: Array(line.utf8)) == message)
    }

    @Test(arguments: [
        ("", RegistryProtocolError.empty),
        ("REGISTER 1 cps-bridge", .unterminated),
        ("REGISTER 1\n", .malformed("REGISTER takes a version and a software name")),
        ("REGISTER one cps-bridge\n", .malformed("version \"one\" is not a positive number")),
        ("REGISTER 0 cps-bridge\n", .malformed("version \"0\" is not a positive number")),
        ("REGISTER 1 cps bridge\n", .malformed("REGISTER takes a version and a software name")),
        ("WELCOME 1 1001\n", .malformed("WELCOME takes a version, a UID and at least one address")),
        ("WELCOME 1 -5 127.0.0.1:24830\n", .malformed("WELCOME's UID \"-5\" is not a number")),
        ("WELCOME 1 1001 127.0.0.1:0\n", .malformed("WELCOME's addresses must be HOST:PORT")),
        ("WELCOME 1 1001 24830\n", .malformed("WELCOME's addresses must be HOST:PORT")),
        ("CONNECTION 3\n", .unknown("CONNECTION")),
        ("HELLO\n", .unknown("HELLO")),
        ("register 1 x\n", .unknown("register")),
        ("REGISTER 1 caf\u{E9}\n", .notPrintable),
        ("REGISTER 1 a\tb\n", .notPrintable),
        ("REGISTER 1 x\n\n", .notPrintable),
    ] as [(String, RegistryProtocolError)])
    func malformedMessagesSayWhy(line: String, error: RegistryProtocolError) {
        #expect(throws: error) { try RegistryMessage(bytes: Array(line.utf8)) }
    }

    @Test func overlongMessagesAreRefused() {
        let line = "REFUSED " + String(repeating: "x", count: RegistryMessage.maxLength) + "\n"
        #expect(throws: RegistryProtocolError.tooLong(line.utf8.count)) { try RegistryMessage(bytes: Array(line.utf8)) }
    }

    @Test func portsOfAddresses() {
        #expect(RegistryMessage.port(of: "127.0.0.1:24830") == 24830)
        #expect(RegistryMessage.port(of: "[::1]:41000") == 41000)
        #expect(RegistryMessage.port(of: ":80") == nil)
        #expect(RegistryMessage.port(of: "127.0.0.1:65536") == nil)
    }

    /// Over a real socket pair: a descriptor travels with CONNECTION, SO_PEERCRED names us.
    @Test func aDescriptorTravelsWithConnection() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0)
        let (dispatcher, daemon) = (RegistrySocket(descriptor: pair[0]), RegistrySocket(descriptor: pair[1]))
        defer { dispatcher.close(); daemon.close() }
        #expect(try daemon.peer().uid == geteuid())
        #expect(try daemon.peer().pid == getpid())

        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        try dispatcher.send(.connection, passing: pipeEnds[1], wait: false)
        let received = try #require(try daemon.receive())
        #expect(received.message == .connection)
        let passed = try #require(received.descriptor)
        #expect(passed != pipeEnds[1])
        close(pipeEnds[1])
        #expect(write(passed, "ok", 2) == 2)
        close(passed)
        var bytes = [UInt8](repeating: 0, count: 4)
        #expect(read(pipeEnds[0], &bytes, 4) == 2)
        close(pipeEnds[0])

        // CONNECTION without a descriptor, or another message with one, is refused.
        try dispatcher.send(.connection)
        #expect(throws: RegistryProtocolError.malformed("CONNECTION without its descriptor")) { try daemon.receive() }
        try dispatcher.send(.replaced, passing: 0)
        #expect(throws: RegistryProtocolError.malformed("a descriptor with REPLACED\n")) { try daemon.receive() }
        // The end.
        dispatcher.shutdown()
        #expect(try daemon.receive() == nil)
    }

    @Test func aClosedPeerIsSeenAsGone() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0)
        let (dispatcher, daemon) = (RegistrySocket(descriptor: pair[0]), RegistrySocket(descriptor: pair[1]))
        defer { dispatcher.close() }
        daemon.close()
        do {
            try dispatcher.send(.connection, passing: 0, wait: false)
            Issue.record("sent to a closed peer")
        } catch let error as SystemCallError {
            #expect(error.peerGone, "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
