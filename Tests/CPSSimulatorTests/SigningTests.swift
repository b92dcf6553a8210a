import CPSSimulator
import Crypto
import _CryptoExtras
import SmartCard
import Testing
import X509

/// INTERNAL AUTHENTICATE with `CPS_PRIV_AUT`, as OpenSC drives it for `CKM_RSA_PKCS`.
@Suite struct SigningTests {
    /// The SHA-256 DigestInfo prefix (RFC 8017, 9.2 note 1).
    static let sha256DigestInfoPrefix: [UInt8] = [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                                  0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]

    let digest = SHA256.hash(data: Array("challenge from Pro Santé Connect".utf8))
    var digestInfo: [UInt8] { Self.sha256DigestInfoPrefix + Array(digest) }

    @Test func signingWithoutThePINIsRefused() throws {
        let card = try Fixture.card()
        #expect(try card.send(.mseSetAuthentication(keyReference: 0x82)).status == .success)
        #expect(try card.send(.internalAuthenticate(digestInfo)).status == .securityStatusNotSatisfied)
    }

    @Test func signatureVerifiesWithTheHolderCertificate() throws {
        let card = try Fixture.card()
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        #expect(try card.send("00 CB 3F FF 0B 4D 09 70 07 BF 90 02 03 7F 48 80 00").status == .incorrectP1P2)
        #expect(try card.send("00 22 41 A4 06 84 01 82 80 01 02").status == .success)
        let response = try card.send(.internalAuthenticate(digestInfo))
        #expect(response.status == .success)
        #expect(response.data.count == 256)
        let publicKey = try #require(_RSA.Signing.PublicKey(Fixture.credentials.holderCertificate.publicKey))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: response.data)
        #expect(publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5))
        // The PIN stays verified for the next authentication.
        #expect(try card.send(.internalAuthenticate(digestInfo)).status == .success)
    }

    @Test func inputOverFortyPercentOfTheModulusIsRefused() throws {
        let card = try Fixture.card()
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        #expect(try card.send(.mseSetAuthentication(keyReference: 0x82)).status == .success)
        #expect(try card.send(.internalAuthenticate([UInt8](repeating: 0x11, count: 102))).status == .success)
        #expect(try card.send(.internalAuthenticate([UInt8](repeating: 0x11, count: 103))).status == .wrongLength)
    }

    @Test func shortLeGetsTheRestWithGetResponse() throws {
        let card = try Fixture.card()
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        #expect(try card.send(.mseSetAuthentication(keyReference: 0x82)).status == .success)
        var command = CommandAPDU.internalAuthenticate(digestInfo)
        command.ne = 0x80
        let first = try card.send(command)
        #expect(first.status == .bytesRemaining(0x80))
        let rest = try card.send(.getResponse(count: 0x80))
        #expect(rest.status == .success)
        let publicKey = try #require(_RSA.Signing.PublicKey(Fixture.credentials.holderCertificate.publicKey))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: first.data + rest.data)
        #expect(publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5))
    }

    @Test func keyAccessRulesAllowInternalAuthenticateAfterThePIN() throws {
        let card = try Fixture.card()
        let response = try card.send("00 CB 3F FF 0A 4D 08 70 06 BF 90 02 02 A0 80 00")
        #expect(response.status == .success)
        let (sdo, _) = try BERTLV.parse(response.data)
        #expect(sdo.tag == 0xBF9002)
        let descriptor = try #require(sdo.child(0xA0))
        #expect(descriptor.child(0x80)?.value == [0x08, 0x00])
        // AM 71: PSO signature FF (never), INTERNAL AUTHENTICATE 11, DECIPHER 11 (PIN via SE 1), GET DATA 00.
        #expect(descriptor.child(0xA1)?.child(0x8C)?.value == [0x71, 0xFF, 0x11, 0x11, 0x00])
    }

    @Test func decipherWithChaining() throws {
        let card = try Fixture.card()
        let publicKey = try #require(_RSA.Signing.PublicKey(Fixture.credentials.holderCertificate.publicKey))
        let encryptionKey = try _RSA.Encryption.PublicKey(derRepresentation: publicKey.derRepresentation)
        let secret = Array("session key".utf8)
        let cryptogram = Array(try encryptionKey.encrypt(secret, padding: ._WEAK_AND_INSECURE_PKCS_V1_5))
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        #expect(try card.send("00 22 41 B8 06 84 01 82 80 01 0A").status == .success)
        let data = [0x81] + cryptogram
        let first = CommandAPDU(cla: 0x10, ins: 0x2A, p1: 0x80, p2: 0x86, data: Array(data.prefix(200)))
        #expect(try card.send(first).status == .success)
        let last = CommandAPDU(ins: 0x2A, p1: 0x80, p2: 0x86, data: Array(data.dropFirst(200)), ne: 256)
        let response = try card.send(last)
        #expect(response.status == .success)
        #expect(response.data == secret)
    }

    @Test func challengeIsEightRandomBytes() throws {
        let card = try Fixture.card()
        let a = try card.send(.getChallenge())
        let b = try card.send(.getChallenge())
        #expect(a.status == .success && a.data.count == 8)
        #expect(a.data != b.data)
    }
}
