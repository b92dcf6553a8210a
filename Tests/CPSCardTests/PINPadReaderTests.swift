import CardTestBed
import CPSCard
import Crypto
import _CryptoExtras
import Foundation
import PCSC
import PINEntry
import SwiftASN1
import SmartCard
import Testing
import X509

/// The PIN-pad path on the real chain: the bed's simulated PIN-pad readers (`cps-pinpad-ifd`,
/// loaded by the bed's pcscd), `cps-card-sim` in them, stock OpenSC and our `PINPad`, with the
/// test typing on the reader's keypad.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, OpenSC and pkcs11-tool (make deps)"), .timeLimit(.minutes(3)))
struct PINPadReaderTests {
    // MARK: Stock OpenSC

    @Test func pkcs11ToolSeesAProtectedAuthenticationPath() async throws {
        try await CardBed.shared().withPINPadReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let slot = try Self.slotListing(readers[0])
            #expect(slot.contains("token label"), "\(slot)")
            // OpenSC 0.23 prints CKF_PROTECTED_AUTHENTICATION_PATH as "PIN pad present".
            #expect(slot.contains("PIN pad present"), "\(slot)")
            #expect(slot.contains("pin min/max        : 4/8"), "\(slot)")
        }
    }

    @Test func pkcs11ToolSignsWithThePINTypedOnTheKeypad() async throws {
        let bed = try CardBed.shared()
        try await bed.withPINPadReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let keypad = try Keypad(reader: readers[0])
            let slotIndex = try #require(try Self.slotIndex(readers[0]))
            let hash = SHA256.hash(data: Data("PIN pad".utf8))
            let input = card.stateDirectory.appendingPathComponent("digestinfo.bin")
            let output = card.stateDirectory.appendingPathComponent("signature.bin")
            try Data(Self.sha256DigestInfoPrefix + Array(hash)).write(to: input)

            // No --pin: OpenSC asks the reader, the test types on its keypad.
            let sign = Self.startBlocking {
                try TestEnvironment.pkcs11Tool(["--slot-index", String(slotIndex), "--login", "--sign", "-m", "RSA-PKCS",
                                                "--label", "CPS_PRIV_AUT", "-i", input.path, "-o", output.path])
            }
            let shown = try await Self.blocking { try keypad.waitForEntry() }
            #expect(shown.line1 == "Saisir code PIN")
            try await Self.blocking { try keypad.type("1234") }
            let result = try await sign.value
            #expect(result.status == 0, "\(result.output)")

            let certificate = try Certificate(pemEncoded: String(contentsOfFile: card.holderCertificatePath, encoding: .utf8))
            let key = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
            let signature = try _RSA.Signing.RSASignature(rawRepresentation: Data(contentsOf: output))
            #expect(key.isValidSignature(signature, for: hash, padding: .insecurePKCS1v1_5))
            // The reader's VERIFY reached the card (the simulator masks PIN bytes).
            #expect(card.apduLog().contains("> 00 20 00 01 08 ** ** ** ** ** ** ** **"), "\(card.apduLog())")
            try Self.expectPINInNoLog("1234", bed: bed, card: card)
        }
    }

    /// What C_Login returns when the person cancels on the pad or lets it time out: OpenSC 0.23
    /// maps both 64 01 and 64 00 to CKR_FUNCTION_CANCELED; a PIN of the wrong length (64 03)
    /// to CKR_PIN_LEN_RANGE. No try is spent.
    @Test(arguments: [("cancel", "CKR_FUNCTION_CANCELED"), ("timeout", "CKR_FUNCTION_CANCELED"), ("type 12", "CKR_PIN_LEN_RANGE")])
    func openSCMapsThePadsOwnStatuses(command: String, expected: String) async throws {
        try await CardBed.shared().withPINPadReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let keypad = try Keypad(reader: readers[0])
            let slotIndex = try #require(try Self.slotIndex(readers[0]))
            let login = Self.startBlocking { try TestEnvironment.pkcs11Tool(["--slot-index", String(slotIndex), "--login", "-O"]) }
            _ = try await Self.blocking { try keypad.waitForEntry() }
            let answer = try await Self.blocking { try keypad.send(command) }
            #expect(answer == "OK")
            let result = try await login.value
            #expect(result.status != 0)
            #expect(result.output.contains("C_Login failed: rv = \(expected)"), "\(result.output)")
            #expect(try card.control("status").contains("triesLeft=3"))
        }
    }

    // MARK: Helpers

    /// `DigestInfo` of SHA-256, before the hash.
    static let sha256DigestInfoPrefix: [UInt8] = [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]

    /// The `pkcs11-tool -L` block of the slot whose reader is `reader`.
    static func slotListing(_ reader: BedReader) throws -> String {
        let listing = try TestEnvironment.pkcs11Tool(["-L"]).output
        return listing.components(separatedBy: "\nSlot ").first { $0.contains(reader.name) } ?? ""
    }

    /// The slot index pkcs11-tool gives `reader` (`--slot-index`).
    static func slotIndex(_ reader: BedReader) throws -> Int? {
        try slotListing(reader).split(separator: " ").first.flatMap { Int($0) }
    }

    /// Starts blocking work (PC/SC, keypad, a child process) on a thread of its own, never on
    /// the cooperative pool: a PIN entry holds its caller for seconds.
    static func startBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Task<T, any Error> {
        Task {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try body() }) }.start()
            }
        }
    }

    /// Runs blocking work on a thread of its own and waits for it.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await startBlocking(body).value
    }

    /// The PIN is in none of the logs: the bed's pcscd (where the handler writes) and the
    /// simulator's output hold neither its digits nor its ASCII bytes; the APDU log holds no
    /// digits and every VERIFY with data in it is masked. (The card's own data may hold the
    /// bytes 31 32 33 34 by chance: its serial number does.)
    static func expectPINInNoLog(_ pin: String, bed: CardBed, card: SimulatedCard) throws {
        let asciiHex = pin.utf8.map { String(format: "%02X", $0) }
        let simulatorLog = bed.directory.appendingPathComponent("sim-\(card.reader.port).log").path
        for path in [bed.pcscdLogPath, simulatorLog, card.apduLogPath] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            #expect(!text.isEmpty, "\(path) is empty")
            // The digits standing alone (not inside a longer number such as a port or a pid).
            let standalone = text.ranges(of: pin).contains { range in
                let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
                let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
                return !before.isNumber && !after.isNumber
            }
            #expect(!standalone, "the PIN is in \(path)")
            if path != card.apduLogPath {
                #expect(!text.contains(asciiHex.joined(separator: " ")) && !text.contains(asciiHex.joined()), "the PIN's bytes are in \(path)")
            }
        }
        let verifies = card.apduLog().filter { $0.hasPrefix("> 00 20 ") && $0.count > "> 00 20 00 01 00".count }
        #expect(!verifies.isEmpty)
        for line in verifies {
            #expect(line.split(separator: " ").dropFirst(6).allSatisfy { $0 == "**" }, "unmasked VERIFY: \(line)")
        }
    }
}
