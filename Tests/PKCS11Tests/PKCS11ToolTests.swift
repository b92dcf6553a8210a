import CardTestBed
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import Testing
import X509

/// Stock OpenSC's own `pkcs11-tool` against the simulated CPS3 on the bed: what a sysadmin
/// would run to check a card, and the baseline the daemon is measured against.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd, OpenSC and pkcs11-tool (make deps)"), .timeLimit(.minutes(2)))
struct PKCS11ToolTests {
    /// Runs pkcs11-tool on OpenSC with the bed's environment; returns status and all output.
    static func tool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestEnvironment.pkcs11Tool(arguments)
    }

    /// The `pkcs11-tool -L` block of the slot whose reader is `reader`.
    static func slotListing(_ reader: BedReader) throws -> String {
        let listing = try tool(["-L"]).output
        let blocks = listing.components(separatedBy: "\nSlot ")
        return blocks.first { $0.contains(reader.name) } ?? ""
    }

    @Test func listsSignsAndVerifiesWithTheCard() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let slot = try Self.slotListing(readers[0])
            #expect(slot.contains("token label"), "\(slot)")
            let slotIndex = try #require(slot.split(separator: " ").first.flatMap { Int($0) })

            let objects = try Self.tool(["--slot-index", String(slotIndex), "-O"])
            #expect(objects.status == 0)
            #expect(objects.output.contains("CPS_CERT_AUT"))
            let loggedIn = try Self.tool(["--slot-index", String(slotIndex), "--login", "--pin", "1234", "-O"])
            #expect(loggedIn.output.contains("CPS_PRIV_AUT"))

            let dir = card.stateDirectory
            let hash = SHA256.hash(data: Data("pkcs11-tool".utf8))
            let input = dir.appendingPathComponent("digestinfo.bin")
            let output = dir.appendingPathComponent("signature.bin")
            try Data([0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20] + Array(hash)).write(to: input)
            let before = card.apduLog().filter { $0.hasPrefix(">") }.count
            let sign = try Self.tool(["--slot-index", String(slotIndex), "--login", "--pin", "1234", "--sign", "-m", "RSA-PKCS",
                                      "--label", "CPS_PRIV_AUT", "-i", input.path, "-o", output.path])
            #expect(sign.status == 0, "\(sign.output)")
            let apdus = card.apduLog().filter { $0.hasPrefix(">") }.count - before
            print("pkcs11-tool --login --sign sent \(apdus) APDUs to the card")

            let certificate = try Certificate(pemEncoded: String(contentsOfFile: card.holderCertificatePath, encoding: .utf8))
            let key = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
            let signature = try _RSA.Signing.RSASignature(rawRepresentation: Data(contentsOf: output))
            #expect(key.isValidSignature(signature, for: hash, padding: .insecurePKCS1v1_5))
        }
    }

    @Test func threeWrongPINsLockTheCardFlagByFlag() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let slotIndex = try #require(Self.slotListing(readers[0]).split(separator: " ").first.flatMap { Int($0) })
            for flag in ["user PIN count low", "final user PIN try", "user PIN locked"] {
                let wrong = try Self.tool(["--slot-index", String(slotIndex), "--login", "--pin", "0000", "-O"])
                #expect(wrong.output.contains("CKR_PIN_INCORRECT"), "\(wrong.output)")
                #expect(try Self.slotListing(readers[0]).contains(flag))
            }
            let right = try Self.tool(["--slot-index", String(slotIndex), "--login", "--pin", "1234", "-O"])
            #expect(right.output.contains("CKR_PIN_LOCKED"), "\(right.output)")
        }
    }
}
