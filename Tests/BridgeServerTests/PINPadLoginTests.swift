import BridgeProtocol
import CardTestBed
import CPSAuthVerifier
import Foundation
import Testing

/// The real `cps-bridge serve`, with no native prompt and no page PIN, and the card in the
/// bed's simulated PIN-pad reader: the holder types the PIN on the reader's keypad. Through
/// the module's protected authentication path (OpenSC, the default) and through our direct
/// part 10 path (`--pin-pad direct`).
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(4)))
struct PINPadLoginTests {
    /// A daemon on a free port serving `ServerTests.page` (no page PIN), the card in a PIN-pad reader.
    static func withPadDaemon<T>(_ extra: [String] = [], cardArguments: [String] = [],
                                 _ body: (_ port: Int, _ card: SimulatedCard, _ keypad: Keypad, _ log: String) async throws -> T) async throws -> T {
        try await CardBed.shared().withPINPadReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: cardArguments)
            defer { card.stop() }
            let keypad = try Keypad(reader: readers[0])
            let port = try LoopbackPorts.free()
            let log = card.stateDirectory.appendingPathComponent("daemon.log").path
            let daemon = try await ServeProcess.start(["--listen", "127.0.0.1:\(port)", "--allow-origin", ServerTests.page,
                                                       "--log-level", "debug"] + extra, logPath: log)
            defer { daemon.stop() }
            return try await body(port, card, keypad, log)
        }
    }

    /// What a login's HTTP reply said.
    struct LoginReply: Sendable {
        var status: Int
        var code: String?
        var triesLeft: Int?
        var token: Data?
    }

    /// Starts a login with no PIN; the reply arrives once the keypad is used.
    static func startLogin(_ port: Int, nonce: String) -> Task<LoginReply, any Error> {
        Task {
            let reply = try await ServerTests.http(port, "POST", "/v1/authenticate",
                                                   headers: ["Origin": ServerTests.page, "Content-Type": "application/json"],
                                                   body: "{\"nonce\":\"\(nonce)\"}")
            let error = reply.json["error"] as? [String: Any]
            let token = try reply.json["token"].map { try JSONSerialization.data(withJSONObject: $0) }
            return LoginReply(status: reply.status, code: error?["code"] as? String, triesLeft: error?["triesLeft"] as? Int, token: token)
        }
    }

    /// A one-off pinentry program: a wrapper calling the scripted pinentry with `arguments`.
    static func scriptedPinentry(_ arguments: String) throws -> (program: String, log: String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/scripted-pinentry.py").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pinentry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("pinentry.log").path
        let wrapper = dir.appendingPathComponent("pinentry").path
        try "#!/bin/sh\nexec /usr/bin/python3 \(script) --log \(log) \(arguments)\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        return (wrapper, log)
    }

    /// Runs a blocking keypad call on a thread of its own (never a cooperative one).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Whether `text` holds the PIN 1234 as a number of its own (not inside a longer one, such
    /// as a port).
    static func containsPIN(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let pin = Array("1234".utf8)
        func isDigit(_ i: Int) -> Bool { i >= 0 && i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        guard bytes.count >= pin.count else { return false }
        for start in 0...(bytes.count - pin.count) where Array(bytes[start..<start + pin.count]) == pin {
            if !isDigit(start - 1) && !isDigit(start + pin.count) { return true }
        }
        return false
    }

    /// VERIFY commands that carried a PIN, from the card's log (it masks the PIN bytes).
    static func pinVerifications(_ card: SimulatedCard) -> [String] {
        card.apduLog().filter { $0.contains("00 20 00 01 08") }
    }

    @Test("the PIN typed on the reader logs in; the token verifies for origin and nonce", arguments: [[String](), ["--pin-pad", "direct"]])
    func padLogin(extra: [String]) async throws {
        try await Self.withPadDaemon(extra) { port, card, keypad, log in
            let verifier = try SimulatedCardVerifier.make(card)
            let nonce = try await verifier.issueNonce()
            let login = Self.startLogin(port, nonce: nonce)
            let display = try await Self.onThread { try keypad.waitForEntry() }
            #expect(display.waiting)
            try await Self.onThread { try keypad.type("1234") }
            let reply = try await login.value
            #expect(reply.status == 200, "\(reply)")
            let token = try #require(reply.token)
            let verified = try await verifier.verify(tokenJSON: token, origin: ServerTests.page, nonce: nonce)
            #expect(verified.claims.subjectNameID == "899700012345")
            // The VERIFY came from the reader; the daemon never had the PIN.
            #expect(Self.pinVerifications(card).count == 1)
            let daemonLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(daemonLog.contains(extra.isEmpty ? "(module path)" : "(direct path)"), "the path taken is logged")
            #expect(!Self.containsPIN(daemonLog), "no PIN in the daemon's log")
            let pcscdLog = (try? String(contentsOfFile: CardBed.shared().pcscdLogPath, encoding: .utf8)) ?? ""
            #expect(!Self.containsPIN(pcscdLog) && !pcscdLog.contains("31 32 33 34"), "no PIN in pcscd's log")
        }
    }

    @Test("wrong PIN, Cancel and the reader's timeout, on both paths", arguments: [[String](), ["--pin-pad", "direct"]])
    func padOutcomes(extra: [String]) async throws {
        try await Self.withPadDaemon(extra) { port, card, keypad, _ in
            // A wrong PIN: pinIncorrect with the tries left, not retried.
            var login = Self.startLogin(port, nonce: ServerTests.nonce())
            _ = try await Self.onThread { try keypad.waitForEntry() }
            try await Self.onThread { try keypad.type("9999") }
            var reply = try await login.value
            #expect(reply.code == "pinIncorrect")
            #expect(reply.triesLeft == 2)
            #expect(Self.pinVerifications(card).count == 1)
            // Cancel on the reader.
            login = Self.startLogin(port, nonce: ServerTests.nonce())
            _ = try await Self.onThread { try keypad.waitForEntry() }
            try await Self.onThread { try keypad.cancel() }
            reply = try await login.value
            #expect(reply.code == "cancelled")
            // Nobody types in time. Through our path the reader's own answer (64 00) is
            // `timeout`; OpenSC reports Cancel and timeout alike (CKR_FUNCTION_CANCELED).
            login = Self.startLogin(port, nonce: ServerTests.nonce())
            _ = try await Self.onThread { try keypad.waitForEntry() }
            try await Self.onThread { try keypad.timeout() }
            reply = try await login.value
            #expect(reply.code == (extra.isEmpty ? "cancelled" : "timeout"))
            #expect(Self.pinVerifications(card).count == 1, "neither Cancel nor the timeout reached the card")
            // The right PIN puts the tries back.
            login = Self.startLogin(port, nonce: ServerTests.nonce())
            _ = try await Self.onThread { try keypad.waitForEntry() }
            try await Self.onThread { try keypad.type("1234") }
            #expect(try await login.value.status == 200)
        }
    }

    @Test func theFinalTryWithoutANativePromptNeverAsksThePad() async throws {
        try await Self.withPadDaemon(cardArguments: ["--tries", "1"]) { port, card, keypad, _ in
            let reply = try await Self.startLogin(port, nonce: ServerTests.nonce()).value
            #expect(reply.code == "pinFinalTry")
            #expect(try !keypad.display().waiting, "the reader was never asked for the PIN")
            #expect(Self.pinVerifications(card).isEmpty)
        }
    }

    @Test func theFinalTryConfirmedInTheNativePromptGoesToThePad() async throws {
        let pinentry = try Self.scriptedPinentry("--confirm yes")
        try await Self.withPadDaemon(["--pinentry", pinentry.program], cardArguments: ["--tries", "1"]) { port, card, keypad, _ in
            let login = Self.startLogin(port, nonce: ServerTests.nonce())
            _ = try await Self.onThread { try keypad.waitForEntry() }
            let shown = (try? String(contentsOfFile: pinentry.log, encoding: .utf8)) ?? ""
            #expect(shown.contains("CONFIRM"), "the holder confirmed the last try before the pad was used")
            #expect(!shown.contains("GETPIN"), "the prompt asked for no PIN: it is typed on the reader")
            try await Self.onThread { try keypad.type("1234") }
            #expect(try await login.value.status == 200)
            #expect(Self.pinVerifications(card).count == 1)
        }
    }
}
