import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras

@testable import PKCS11

extension SoftHSMTests {
    @Test func signsWithRSAPKCSOverADigestInfoAndWithSHA256RSAPKCSAlike() throws {
        let label = softHSM.uniqueLabel("sign")
        let slot = try softHSM.makeToken(label: label)
        try softHSM.generateRSAKeyPair(token: label, label: "k", id: "02")
        let session = try slot.openSession()
        try login(session, pin: SoftHSM.userPIN)
        let key = try #require(try session.findObjects(class: .privateKey, label: "k", id: [0x02]).first)
        let publicKey = try #require(try session.findObjects(class: .publicKey, id: [0x02]).first)
        let numbers = try session.attributes([.modulus, .publicExponent], of: publicKey)
        let verifier = try _RSA.Signing.PublicKey(n: try numbers.bytes(.modulus), e: try numbers.bytes(.publicExponent))

        let message = Array("SHA-256(origin) || SHA-256(nonce)".utf8)
        let digest = SHA256.hash(data: message)
        let overDigestInfo = try session.sign(DigestInfo.sha256(Array(digest)), mechanism: .rsaPKCS, key: key)
        let hashedByModule = try session.sign(message, mechanism: .sha256RSAPKCS, key: key)

        #expect(overDigestInfo.count == 256)
        #expect(overDigestInfo == hashedByModule)  // PKCS#1 v1.5 is deterministic
        for signature in [overDigestInfo, hashedByModule] {
            #expect(verifier.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5))
        }
        let other = SHA256.hash(data: Array("another challenge".utf8))
        #expect(!verifier.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: overDigestInfo), for: other, padding: .insecurePKCS1v1_5))
    }

    @Test func signsLikeTheDaemonWithACPSLayoutAndTheCertificateVerifies() throws {
        let (slot, _) = try makeCPSLikeToken("cps-flow")
        let session = try slot.openSession()
        #expect(try slot.tokenInfo().flags.contains(.protectedAuthenticationPath) == false)
        try login(session, pin: SoftHSM.userPIN)
        let key = try #require(try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT").first)
        let id = try session.attribute(.id, of: key)
        let certificateObject = try #require(try session.findObjects(class: .certificate, label: "CPS_CERT_AUT", id: id).first)
        let certificate = try Certificate(derEncoded: try session.attribute(.value, of: certificateObject))
        let verifier = try #require(_RSA.Signing.PublicKey(certificate.publicKey))

        let digest = SHA256.hash(data: Array("https://auth.esw.esante.gouv.fr".utf8))
        let signature = try session.sign(DigestInfo.sha256(Array(digest)), mechanism: .rsaPKCS, key: key)
        #expect(verifier.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5))
    }

    @Test func signingFailuresAreTypedAndNameTheirFunction() throws {
        let (slot, _) = try makeCPSLikeToken("sign-errors")
        let session = try slot.openSession()
        try login(session, pin: SoftHSM.userPIN)
        let key = try #require(try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT").first)
        let digestInfo = DigestInfo.sha256([UInt8](repeating: 7, count: 32))

        let mechanism = #expect(throws: PKCS11Error(.mechanismInvalid, function: "C_SignInit")) {
            try session.sign(digestInfo, mechanism: Mechanism(rawValue: 0x7fff_fff0), key: key)
        }
        #expect(mechanism?.function == "C_SignInit")
        // Input longer than the modulus allows (k - 11 = 245 bytes): the spec's answer is
        // CKR_DATA_LEN_RANGE; SoftHSM 2.6.1 answers CKR_GENERAL_ERROR.
        let tooLong = #expect(throws: PKCS11Error(.generalError, function: "C_Sign")) {
            try session.sign([UInt8](repeating: 1, count: 250), mechanism: .rsaPKCS, key: key)
        }
        #expect(tooLong?.function == "C_Sign")
        // The session is usable again after a failed C_Sign ended the operation.
        #expect(try session.sign(digestInfo, mechanism: .rsaPKCS, key: key).count == 256)

        // A handle the module never gave out: the module's own answer.
        let bogus = PKCS11Session(slot: slot, handle: 0x7fff_0001, generation: slot.module.generation)
        let invalid = #expect(throws: PKCS11Error(.sessionHandleInvalid, function: "C_SignInit")) {
            try bogus.sign(digestInfo, mechanism: .rsaPKCS, key: key)
        }
        #expect(invalid?.function == "C_SignInit")

        // A closed session: refused before reaching the module.
        try session.close()
        let closed = #expect(throws: PKCS11Error(.sessionHandleInvalid, function: "C_SignInit")) {
            try session.sign(digestInfo, mechanism: .rsaPKCS, key: key)
        }
        #expect(closed?.function == "C_SignInit")
    }
}
