import CardTestBed
import Crypto
import _CryptoExtras
import Foundation
import PKCS11
import SwiftASN1
import Testing
import X509

/// Our PKCS11 layer driving stock OpenSC (`opensc-pkcs11.so`, `iasecc` driver) against the
/// simulated CPS3 on the bed's private pcscd: the real chain, in process.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct OpenSCCardTests {
    /// OpenSC, loaded after the bed so that it talks to the bed's pcscd with the PIN cache off.
    static func openSC() throws -> PKCS11Module {
        _ = try CardBed.shared()
        return try PKCS11Module.load(path: TestEnvironment.openSCModulePath)
    }

    /// The card's slot: OpenSC names slots after their reader.
    static func slot(for reader: BedReader, in module: PKCS11Module) throws -> Slot {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let slot = try module.slots(readerName: reader.name, tokenPresent: true).first { return slot }
            usleep(50_000)
        }
        throw TestBedError("OpenSC shows no token in \(reader.name)")
    }

    static func pin(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func login(_ session: PKCS11Session, _ pin: String) throws {
        try Self.pin(pin).withUnsafeBytes { try session.login(.user, pin: $0) }
    }

    @Test func listsTheCPSObjectsLogsInSignsAndTheSignatureVerifies() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--surname", "MARTIN", "--given-name", "ALICE"])
            defer { card.stop() }
            let module = try Self.openSC()
            let slot = try Self.slot(for: readers[0], in: module)
            let token = try slot.tokenInfo()
            #expect(token.flags.contains(.loginRequired))
            #expect(!token.flags.contains(.userPinLocked))
            #expect(token.label.contains("MARTIN"))

            let session = try slot.openSession()
            let certificates = try session.findObjects(class: .certificate, label: "CPS_CERT_AUT")
            #expect(certificates.count == 1)
            let certificateID = try session.attribute(.id, of: certificates[0])
            let der = try session.attribute(.value, of: certificates[0])
            let certificate = try Certificate(derEncoded: der)
            let holderPEM = try String(contentsOfFile: card.holderCertificatePath, encoding: .utf8)
            #expect(certificate == (try Certificate(pemEncoded: holderPEM)))

            try Self.login(session, "1234")
            let keys = try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT")
            #expect(keys.count == 1)
            // Keys are matched to certificates by CKA_ID, never by a fixed id.
            #expect(try session.attribute(.id, of: keys[0]) == certificateID)

            let message = Array("cps-bridge test".utf8)
            let digest = SHA256.hash(data: message)
            let signature = try session.sign(DigestInfo.sha256(Array(digest)), mechanism: .rsaPKCS, key: keys[0])
            let publicKey = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
            #expect(publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5))
            // OpenSC 0.23 offers no hashing mechanism that works for the CPS3 key.
            #expect(throws: PKCS11Error.self) {
                _ = try session.sign(message, mechanism: .sha256RSAPKCS, key: keys[0])
            }

            // The certificate chains to the simulator's test root.
            let root = try Certificate(pemEncoded: String(contentsOfFile: card.rootCAPath, encoding: .utf8))
            let issuing = try Certificate(pemEncoded: String(contentsOfFile: card.issuingCAPath, encoding: .utf8))
            var verifier = Verifier(rootCertificates: CertificateStore([root])) { RFC5280Policy(validationTime: Date()) }
            let result = await verifier.validate(leafCertificate: certificate, intermediates: CertificateStore([issuing]))
            guard case .validCertificate = result else { Issue.record("chain: \(result)"); return }
        }
    }

    @Test func wrongPINsCountDownToLockedAndTheRightPINIsThenRefused() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let module = try Self.openSC()
            let slot = try Self.slot(for: readers[0], in: module)
            let expected: [TokenFlags] = [.userPinCountLow, .userPinFinalTry, .userPinLocked]
            for flag in expected {
                let session = try slot.openSession()
                #expect(throws: PKCS11Error(.pinIncorrect, function: "C_Login")) { try Self.login(session, "9876") }
                let flags = try slot.tokenInfo().flags
                #expect(flags.contains(flag), "after a wrong PIN: \(flags)")
            }
            let session = try slot.openSession()
            #expect(throws: PKCS11Error(.pinLocked, function: "C_Login")) { try Self.login(session, "1234") }
            // Three PINs reached the card, each masked in its log; the fourth was refused by
            // OpenSC's state or the card, never logged in clear.
            let verifies = card.apduLog().filter { $0.contains("00 20 00 01 08") }
            #expect(verifies.count >= 3)
            #expect(verifies.allSatisfy { $0.contains("** ** ** **") && !$0.contains("39 38 37 36") && !$0.contains("31 32 33 34") })
        }
    }

    @Test func aRemovedCardGivesATypedError() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let module = try Self.openSC()
            let slot = try Self.slot(for: readers[0], in: module)
            let session = try slot.openSession()
            try card.control("remove")
            try card.waitForPresence(false)
            #expect {
                try Self.login(session, "1234")
            } throws: { error in
                guard let code = (error as? PKCS11Error)?.returnValue else { return false }
                return [.deviceRemoved, .tokenNotPresent, .sessionHandleInvalid, .sessionClosed].contains(code)
            }
            // The card never saw a PIN.
            #expect(!card.apduLog().contains { $0.hasPrefix("> 00 20 00 01 08") })
        }
    }
}
