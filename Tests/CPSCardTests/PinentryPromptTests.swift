@testable import CPSCard
@testable import PINEntry
import Foundation
import Testing

/// The native prompt through a real Assuan peer (our scripted pinentry).
@Suite struct PinentryPromptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/scripted-pinentry.py").path

    /// A one-off pinentry program: a wrapper calling the script with `arguments`.
    static func program(_ arguments: String) throws -> (program: String, log: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pinentry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("pinentry.log").path
        let wrapper = dir.appendingPathComponent("pinentry").path
        try "#!/bin/sh\nexec python3 \(script) --log \(log) \(arguments)\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        return (wrapper, log)
    }

    static let request = PINPromptRequest(origin: "https://auth.esw.esante.gouv.fr", holderName: "Élodie LEFÈVRE",
                                          nationalId: "899700012345", triesLeft: 3, confirmFinalTry: false)

    @Test func returnsThePINAndShowsOriginHolderAndTries() throws {
        let (program, log) = try Self.program("--pin 4%21")
        let result = try PinentryPrompt(program: program).ask(Self.request)
        guard case .pin(let pin, let confirmed) = result else { Issue.record("no PIN: \(result)"); return }
        #expect(pin.withBytes { Array($0) } == Array("4%21".utf8))
        #expect(!confirmed)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("https://auth.esw.esante.gouv.fr demande"))
        #expect(text.contains("Élodie LEFÈVRE (899700012345)"))
        #expect(text.contains("Essais restants : 3"))
        #expect(!text.contains("CONFIRM"))
    }

    @Test func theFinalTryIsConfirmedBeforeThePIN() throws {
        var request = Self.request
        request.triesLeft = 1
        request.confirmFinalTry = true
        let (yes, yesLog) = try Self.program("--pin 1234 --confirm yes")
        guard case .pin(_, let confirmed) = try PinentryPrompt(program: yes).ask(request) else { Issue.record("no PIN"); return }
        #expect(confirmed)
        let commands = try String(contentsOfFile: yesLog, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").first ?? "" }
        #expect(commands.firstIndex(of: "CONFIRM")! < commands.firstIndex(of: "GETPIN")!)

        let (no, _) = try Self.program("--pin 1234 --confirm no")
        guard case .cancelled = try PinentryPrompt(program: no).ask(request) else { Issue.record("refusal not honoured"); return }
    }

    @Test func aCancelledPromptIsCancelled() throws {
        let (program, _) = try Self.program("--cancel")
        guard case .cancelled = try PinentryPrompt(program: program).ask(Self.request) else { Issue.record("not cancelled"); return }
    }

    @Test func aMissingProgramIsAClearError() {
        #expect(throws: PinentryError.cannotStart("/nonexistent/pinentry is not an executable file")) {
            try PinentryPrompt(program: "/nonexistent/pinentry").ask(Self.request)
        }
    }

    @Test func escapingRoundTrips() {
        #expect(AssuanSession.escape("a%b\nc") == "a%25b%0Ac")
        #expect(AssuanSession.unescape(Array("a%25b%0Ac%4".utf8)) == Array("a%b\nc%4".utf8))
    }
}
