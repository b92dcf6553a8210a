import CardTestBed
@testable import CPSCard
import PINEntry
import CPSIdentity
import Crypto
import _CryptoExtras
import Foundation
import Logging
import PCSC
import PKCS11
import SwiftASN1
import Testing
import X509
#if canImport(Glibc)
import Glibc
#endif

/// The card domain through the real chain: the bed's pcscd, `cps-card-sim`, stock OpenSC.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct CardServiceTests {
    static let origin = "https://wallet.esw.esante.gouv.fr"

    static func nonce() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }

    /// A running service; stopped when `body` returns.
    static func withService<T>(_ configuration: CardService.Configuration = .init(operationTimeout: .seconds(10)),
                               _ body: (CardService) async throws -> T) async throws -> T {
        _ = try CardBed.shared()
        let service = CardService(configuration: configuration)
        let run = Task { try await service.run() }
        defer { run.cancel() }
        await service.monitor.waitUntilSynchronised()
        return try await body(service)
    }

    /// Waits until the service's monitor sees a card in each of `readers`.
    static func waitForCards(_ service: CardService, _ readers: [BedReader]) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !readers.allSatisfy({ r in service.monitor.readers.contains { $0.name == r.name && $0.card != nil } }) {
            guard ContinuousClock.now < deadline else { throw TestBedError("the monitor did not see the cards") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func request(_ pin: String?, nonce: String = nonce(), reader: String? = nil, confirm: Bool = false) -> AuthenticationRequest {
        AuthenticationRequest(origin: origin, nonce: nonce, reader: reader, pin: pin.map { SecretPIN(utf8: $0) },
                              pagePINAllowed: true, confirmFinalTry: confirm)
    }

    /// The card's answer to a VERIFY status query (no PIN; spends no try), over PC/SC.
    static func verificationStatus(_ reader: BedReader) throws -> UInt16 {
        let connection = try CardConnection(context: PCSCContext(), reader: reader.name)
        let answer = try connection.transmit([0x00, 0xA4, 0x09, 0x0C, 0x02, 0x3F, 0x00]) // SELECT MF
        _ = answer
        let status = try connection.transmit([0x00, 0x20, 0x00, 0x01])
        return UInt16(status[status.count - 2]) << 8 | UInt16(status[status.count - 1])
    }

    /// VERIFY commands that carried a PIN, from the card's log.
    static func pinVerifications(_ card: SimulatedCard) -> [String] {
        card.apduLog().filter { $0.contains("00 20 00 01 08") }
    }

    @Test func theRightPINYieldsASignatureOverOriginAndNonce() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--surname", "DURAND", "--given-name", "LÉA"])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                let nonce = Self.nonce()
                let result = try await service.authenticate(Self.request("1234", nonce: nonce)).get()
                #expect(result.reader == readers[0].name)
                #expect(result.holder.familyName == "DURAND")
                #expect(result.holder.givenName == "LÉA")
                let certificate = try Certificate(derEncoded: result.certificateDER)
                let key = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
                // RS256 over SHA-256(origin) || SHA-256(nonce), computed here independently.
                let signed = Data(SHA256.hash(data: Data(Self.origin.utf8))) + Data(SHA256.hash(data: Data(nonce.utf8)))
                #expect(key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: result.signature),
                                             for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5))
                // Reading the PIN state first spent no try: the card still has all three.
                let state = try await CardSession(reader: readers[0].name, presence: CardPresence(atr: PCSCTestATR.cps3),
                                                  module: #require(try? PKCS11ModuleForTests.openSC()), logger: .init(label: "t")).pinState()
                #expect(state == .exact(triesLeft: 3, maxTries: 3))
                // After the login the card itself no longer counts the PIN as verified (a
                // VERIFY status query answers 63 C3, not 90 00) ...
                try await Task.sleep(for: .milliseconds(200))
                #expect(try Self.verificationStatus(readers[0]) == 0x63C3)
                // ... and the next login verifies the PIN on the card again.
                let before = Self.pinVerifications(card).count
                #expect(try await service.authenticate(Self.request("1234")).get().signature.count == 256)
                #expect(Self.pinVerifications(card).count == before + 1)
                // A wrong PIN after a good one is refused by the card, not by a cache.
                #expect(await service.authenticate(Self.request("4321")).failure == .pinIncorrect(triesLeft: 2))
            }
        }
    }

    @Test func aWrongPINSaysHowManyTriesAreLeftAndIsNotRetried() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                let result = await service.authenticate(Self.request("9999"))
                #expect(result.failure == .pinIncorrect(triesLeft: 2))
                #expect(Self.pinVerifications(card).count == 1)
            }
        }
    }

    @Test func theFinalTryIsTheHoldersAlone() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--tries", "1"])
            defer { card.stop() }
            // No native prompt: the page's confirmation alone is refused, nothing reaches the card.
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                #expect(await service.authenticate(Self.request("1234")).failure == .pinFinalTry)
                #expect(await service.authenticate(Self.request("1234", confirm: true)).failure == .pinFinalTry)
                #expect(Self.pinVerifications(card).isEmpty, "no PIN may reach the card without the holder's native confirmation")
            }
            // A native prompt, but the page did not confirm: refused before the prompt is shown.
            let (confirming, log) = try PinentryPromptTests.program("--confirm yes")
            try await Self.withService(.init(pinentryProgram: confirming, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                #expect(await service.authenticate(Self.request("1234")).failure == .pinFinalTry)
                #expect(!FileManager.default.fileExists(atPath: log), "the prompt was not shown")
                #expect(Self.pinVerifications(card).isEmpty)
                // The page confirmed and the holder too (pinentry CONFIRM): the page's PIN is used.
                #expect(try await service.authenticate(Self.request("1234", confirm: true)).get().signature.count == 256)
                #expect(Self.pinVerifications(card).count == 1)
                let shown = try String(contentsOfFile: log, encoding: .utf8)
                #expect(shown.contains("CONFIRM"))
                #expect(shown.contains("Dernier essai"))
                #expect(shown.contains(Self.origin))
                #expect(shown.contains("CAMILLE TEST-CPS (899700012345)"))
                #expect(!shown.contains("GETPIN"), "the page's PIN is used, none is asked")
            }
            // The holder declines: cancelled, nothing sent (the card is back to 3 tries now, so
            // spend two first).
            let (declining, _) = try PinentryPromptTests.program("--confirm no")
            try await Self.withService(.init(pinentryProgram: declining, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                let first = await service.authenticate(Self.request("0000")).failure
                #expect(first == .pinIncorrect(triesLeft: 2))
                let second = await service.authenticate(Self.request("0000")).failure
                #expect(second == .pinIncorrect(triesLeft: 1))
                let before = Self.pinVerifications(card).count
                let declined = await service.authenticate(Self.request("1234", confirm: true)).failure
                #expect(declined == .cancelled)
                #expect(Self.pinVerifications(card).count == before)
            }
        }
    }

    @Test func anUnreadableTriesCounterCountsAsTheFinalTry() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try card.control("hide-pin-counter")
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                #expect(await service.status().readers.first { $0.name == readers[0].name }?.card?.pin?.state == .unknown)
                #expect(await service.authenticate(Self.request("1234", confirm: true)).failure == .pinFinalTry)
                #expect(Self.pinVerifications(card).isEmpty)
            }
            let (confirming, log) = try PinentryPromptTests.program("--confirm yes")
            try await Self.withService(.init(pinentryProgram: confirming, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                #expect(try await service.authenticate(Self.request("1234", confirm: true)).get().signature.count == 256)
                let shown = try String(contentsOfFile: log, encoding: .utf8)
                #expect(shown.contains("Dernier essai") && shown.contains("inconnu"))
            }
        }
    }

    @Test func cancellingALoginTakesThePromptDownAtOnce() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let pidFile = card.stateDirectory.appendingPathComponent("pinentry.pid").path
            let (hanging, _) = try PinentryPromptTests.program("--hang --pid-file \(pidFile)")
            try await Self.withService(.init(pinentryProgram: hanging, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                let login = Task { await service.authenticate(AuthenticationRequest(origin: Self.origin, nonce: Self.nonce())) }
                var pid: Int32?
                let deadline = ContinuousClock.now + .seconds(10)
                while pid == nil, ContinuousClock.now < deadline {
                    pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0) }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let child = try #require(pid, "the prompt did not start")
                try await Task.sleep(for: .milliseconds(200))
                #expect(kill(child, 0) == 0, "the prompt is up")
                let cancelledAt = ContinuousClock.now
                login.cancel()
                #expect(await login.value.failure == .cancelled)
                while kill(child, 0) == 0, ContinuousClock.now < cancelledAt + .seconds(2) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let gone = ContinuousClock.now - cancelledAt
                #expect(kill(child, 0) != 0, "the pinentry still runs after the cancellation")
                #expect(gone < .seconds(1), "the pinentry took \(gone) to go")
                #expect(Self.pinVerifications(card).isEmpty)
            }
        }
    }

    @Test func noOtherClientReachesTheCardDuringALogin() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                // Connected before the login: pcscd makes a new connection wait while a
                // transaction holds the card.
                let other = try CardConnection(context: PCSCContext(), reader: readers[0].name)
                try card.control("stall-after-verify")
                let login = Task { await service.authenticate(Self.request("1234")) }
                let deadline = ContinuousClock.now + .seconds(10)
                while !(try card.control("status")).contains("verified=true"), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try card.control("status").contains("stalled=true"))
                // The module's next command, sent once the VERIFY was answered, is logged when it
                // reaches the card, whose answer is then held: wait for it, so that the window
                // below sees only what another program sends.
                var logged = card.apduLog().count
                let settled = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < settled {
                    try await Task.sleep(for: .milliseconds(150))
                    let now = card.apduLog().count
                    if now == logged && now > 0 { break }
                    logged = now
                }
                // The card is verified and the daemon's module holds it: another program's
                // command waits in pcsc-lite (it polls every 100 ms) and does not reach the card.
                let before = card.apduLog().count
                let attempt = Task.detached { () -> Result<[UInt8], PCSCError> in
                    do throws(PCSCError) { return .success(try other.transmit([0x00, 0x20, 0x00, 0x01])) } catch { return .failure(error) }
                }
                try await Task.sleep(for: .milliseconds(600))
                #expect(card.apduLog().count == before, "another program's command reached the held card")
                try card.control("resume")
                #expect(try await login.value.get().signature.count == 256)
                // Let in once the login ended: the card was reset the moment OpenSC let it go,
                // so that program finds it reset (its handle says so) or not verified, never verified.
                switch await attempt.value {
                case .success(let answer): #expect(answer.suffix(2) != [0x90, 0x00], "the other program found the card verified")
                case .failure(let error): #expect(error.status == .resetCard || error.status == .removedCard, "\(error)")
                }
                // After the login the card is reset: not verified for anyone.
                try await Task.sleep(for: .milliseconds(200))
                #expect(try Self.verificationStatus(readers[0]) == 0x63C3)
            }
        }
    }

    @Test func aBlockedCardIsNeverSentAPIN() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--tries", "0"])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                #expect(await service.authenticate(Self.request("1234")).failure == .pinBlocked)
                #expect(Self.pinVerifications(card).isEmpty)
            }
        }
    }

    @Test func aCardPulledAfterVerificationIsReportedAndTheNextLoginWorks() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                try card.control("remove-after-verify")
                let pulled = await service.authenticate(Self.request("1234"))
                #expect(pulled.failure == .cardRemoved, "\(pulled)")
                try card.waitForPresence(false)
                try card.reinsert()
                try await Self.waitForCards(service, readers)
                #expect(try await service.authenticate(Self.request("1234")).get().signature.count == 256)
            }
        }
    }

    @Test func aStalledCardTimesOutAndWorksAgainAfterResume() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService(.init(operationTimeout: .seconds(2))) { service in
                try await Self.waitForCards(service, readers)
                // Warm the session first, so that the stall hits a card call, not the first bind.
                _ = await service.status()
                try card.control("stall")
                #expect(await service.authenticate(Self.request("1234")).failure == .timeout)
                // While the stalled call is under way the card is busy, never interleaved.
                #expect(await service.authenticate(Self.request("1234")).failure == .busy)
                try card.control("resume")
                let deadline = ContinuousClock.now + .seconds(15)
                var result = await service.authenticate(Self.request("1234"))
                while result.failure == .busy, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    result = await service.authenticate(Self.request("1234"))
                }
                #expect(try result.get().signature.count == 256)
            }
        }
    }

    @Test func twoCardsNeedAReaderAndOnlyThatCardIsUsed() async throws {
        try await CardBed.shared().withReaders(2) { readers in
            let first = try SimulatedCard(reader: readers[0])
            let second = try SimulatedCard(reader: readers[1], stateDirectory: first.stateDirectory.deletingLastPathComponent()
                .appendingPathComponent("second-\(UUID().uuidString)"), arguments: ["--national-id", "899700099999"])
            defer { first.stop(); second.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                let refused = await service.authenticate(Self.request("1234"))
                #expect(refused.failure == .readerRequired(readers: readers.map(\.name)))
                #expect(Self.pinVerifications(first).isEmpty && Self.pinVerifications(second).isEmpty)
                let chosen = try await service.authenticate(Self.request("1234", reader: readers[1].name)).get()
                #expect(chosen.holder.nationalId.value == "899700099999")
                #expect(Self.pinVerifications(first).isEmpty)
                #expect(Self.pinVerifications(second).count == 1)
            }
        }
    }

    @Test func theNativePromptShowsOriginHolderAndTries() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let (program, log) = try PinentryPromptTests.program("--pin 1234")
            try await Self.withService(.init(pinentryProgram: program, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                let result = await service.authenticate(AuthenticationRequest(origin: Self.origin, nonce: Self.nonce()))
                #expect(try result.get().holder.nationalId.value == "899700012345")
                let shown = try String(contentsOfFile: log, encoding: .utf8)
                #expect(shown.contains(Self.origin))
                #expect(shown.contains("CAMILLE TEST-CPS (899700012345)"))
                #expect(shown.contains("Essais restants : 3"))
            }
        }
    }

    @Test func aLoginCanBeCancelled() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService(.init(operationTimeout: .seconds(30))) { service in
                try await Self.waitForCards(service, readers)
                _ = await service.status()
                try card.control("stall")
                let login = Task { await service.authenticate(Self.request("1234")) }
                try await Task.sleep(for: .milliseconds(300))
                login.cancel()
                #expect(await login.value.failure == .cancelled)
                try card.control("resume")
            }
        }
    }

    @Test func theNativePromptAsksToConfirmTheFinalTry() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--tries", "1"])
            defer { card.stop() }
            let (refusing, _) = try PinentryPromptTests.program("--pin 1234 --confirm no")
            try await Self.withService(.init(pinentryProgram: refusing, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                #expect(await service.authenticate(AuthenticationRequest(origin: Self.origin, nonce: Self.nonce())).failure == .cancelled)
                #expect(Self.pinVerifications(card).isEmpty)
            }
            let (confirming, log) = try PinentryPromptTests.program("--pin 1234 --confirm yes")
            try await Self.withService(.init(pinentryProgram: confirming, operationTimeout: .seconds(10))) { service in
                try await Self.waitForCards(service, readers)
                #expect(try await service.authenticate(AuthenticationRequest(origin: Self.origin, nonce: Self.nonce())).get().signature.count == 256)
                #expect(try String(contentsOfFile: log, encoding: .utf8).contains("Dernier essai"))
            }
        }
    }

    @Test func aPageMayNotSendThePINUnlessAllowed() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, readers)
                var request = Self.request("1234")
                request.pagePINAllowed = false
                #expect(await service.authenticate(request).failure == .pagePINNotAllowed)
                #expect(await service.authenticate(AuthenticationRequest(origin: Self.origin, nonce: Self.nonce())).failure == .pinEntryUnavailable)
                #expect(Self.pinVerifications(card).isEmpty)
            }
        }
    }

    @Test func aRepeatedStatusDoesNotGoToTheCardUntilALoginChangesIt() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withService { service in
                try await Self.waitForCards(service, [readers[0]])
                func tries() async -> Int? { await service.status().readers.first { $0.name == readers[0].name }?.card?.pin?.triesLeft }
                #expect(await tries() == 3)
                let afterFirst = card.apduLog().count
                for _ in 0..<5 { #expect(await tries() == 3) }
                #expect(card.apduLog().count == afterFirst, "a status with nothing changed sends no APDU")
                // A wrong PIN changes the count: the next status reads it again, once.
                #expect(await service.authenticate(Self.request("9999")).failure == .pinIncorrect(triesLeft: 2))
                #expect(await tries() == 2)
                let afterLogin = card.apduLog().count
                #expect(await tries() == 2)
                #expect(card.apduLog().count == afterLogin)
                // Put the card back as it was: the right PIN resets the counter.
                _ = try await service.authenticate(Self.request("1234")).get()
                #expect(await tries() == 3)
            }
        }
    }

    @Test func statusListsTheReaderTheCardTheHolderAndTries() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--profession", "Pharmacien"])
            defer { card.stop() }
            // Through the command line, as a sysadmin runs it: one JSON document on stdout.
            let process = Process()
            process.executableURL = TestEnvironment.binDirectory.appendingPathComponent("cps-bridge")
            process.arguments = ["status", "--json"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(json["v"] as? Int == 1)
            let entries = try #require(json["readers"] as? [[String: Any]])
            let entry = try #require(entries.first { $0["name"] as? String == readers[0].name })
            let cardJSON = try #require(entry["card"] as? [String: Any])
            #expect(cardJSON["kind"] as? String == "cps3")
            let pin = try #require(cardJSON["pin"] as? [String: Any])
            #expect(pin["triesLeft"] as? Int == 3)
            #expect(pin["state"] as? String == "ok")
            let holder = try #require(cardJSON["holder"] as? [String: Any])
            #expect(holder["nationalId"] as? String == "899700012345")
            #expect(holder["profession"] as? String == "Pharmacien")
            // Empty readers are listed with a null card.
            #expect(entries.contains { $0["name"] as? String != readers[0].name && $0["card"] is NSNull })
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

enum PCSCTestATR {
    static let cps3: [UInt8] = [0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90, 0x00]
}

enum PKCS11ModuleForTests {
    static func openSC() throws -> PKCS11Module { try PKCS11Module.load(path: TestEnvironment.openSCModulePath) }
}

/// The card service across a pcscd restart (in the restart process of `make test`).
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct CardServicePCSCDRestartTests {
    @Test func loginsWorkAgainAfterPCSCDRestarts() async throws {
        let bed = try CardBed.shared()
        try await bed.withExclusiveBed { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await CardServiceTests.withService { service in
                try await CardServiceTests.waitForCards(service, [readers[0]])
                #expect(try await service.authenticate(CardServiceTests.request("1234")).get().signature.count == 256)
                var events = service.monitor.events().makeAsyncIterator()
                bed.stopPCSCD(signal: SIGKILL)
                _ = try await ReaderMonitorTests.next(&events) { $0 == .serviceLost }
                #expect(await service.status().problems.contains { $0.contains("pcscd") })
                try bed.startPCSCD()
                _ = try await ReaderMonitorTests.next(&events, timeout: .seconds(10)) { $0 == .serviceRestored }
                try card.waitForPresence(true)
                try await CardServiceTests.waitForCards(service, [readers[0]])
                // The module was re-initialised: it sees the reader and the card again.
                #expect(try await service.authenticate(CardServiceTests.request("1234")).get().signature.count == 256)
            }
        }
    }
}
