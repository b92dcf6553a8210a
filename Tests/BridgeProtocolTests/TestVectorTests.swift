import BridgeProtocol
import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras

/// PROTOCOL.md's test vector, recomputed with swift-crypto (the fixtures were made with
/// openssl alone: `scripts/protocol-test-vector.sh`).
@Suite("Token test vector")
struct TestVectorTests {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    func expectedToken() throws -> AuthenticationToken {
        try JSONDecoder().decode(AuthenticationToken.self, from: Data(Fixtures.text("test-vector-token.json").utf8))
    }

    func signedData() throws -> [UInt8] {
        AuthenticationToken.signedData(origin: try Origin(Fixtures.origin), nonce: try Nonce(Fixtures.nonce), sha256: Self.sha256)
    }

    @Test("the signed data: SHA-256 of the origin and of the nonce's text, concatenated")
    func signedDataSteps() throws {
        let parts = AuthenticationToken.signedDataParts(origin: try Origin(Fixtures.origin), nonce: try Nonce(Fixtures.nonce))
        #expect(parts.origin == Array("https://auth.esw.esante.gouv.fr".utf8))
        #expect(parts.nonce == Array("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=".utf8))
        let data = try signedData()
        #expect(data.count == 64)
        #expect(Self.hex(data.prefix(32)) == "eaa1f8d30e4ea56333647d54f00fb8fedd22a10434c67fe007cf02c2b602ad94")
        #expect(Self.hex(data.suffix(32)) == "f35edf4b154cb43a9d2cce2831199c97ce6dd53475a22c93a063f6a5dd143abb")
        #expect(Self.hex(SHA256.hash(data: data)) == "5b0a3b15cd2253411cf39a64d7b079aa21e396803edf697aa89a573ec4671c3b")
    }

    @Test("the fixture key signs to the expected signature (PKCS#1 v1.5 is deterministic)")
    func signatureRecomputed() throws {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: Fixtures.text("test-vector-key.pem"))
        #expect(key.keySizeInBits == 2048)
        let signature = try key.signature(for: SHA256.hash(data: try signedData()), padding: .insecurePKCS1v1_5)
        #expect(signature.rawRepresentation.base64EncodedString() == (try expectedToken()).signature)
    }

    @Test("the token is web-eid:1.0 RS256, built from the certificate and signature bytes")
    func tokenFields() throws {
        let expected = try expectedToken()
        let certificate = try Fixtures.text("test-vector-certificate.b64").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(expected.unverifiedCertificate == certificate)
        let rebuilt = AuthenticationToken(certificateDER: try expected.certificateDER(),
                                          signature: try expected.signatureBytes(), appVersion: "0.1.0")
        #expect(rebuilt == expected)
        #expect(rebuilt.format == "web-eid:1.0" && rebuilt.algorithm == "RS256" && rebuilt.hasSupportedFormat)
        #expect(rebuilt.appVersion == "https://github.com/cps-bridge/cps-bridge/releases/tag/v0.1.0")
        try expectJSON(rebuilt, equals: try Fixtures.text("test-vector-token.json"))
    }

    @Test("a federator verifies it with the certificate, and only for its own origin and nonce")
    func verification() throws {
        let token = try expectedToken()
        let certificate = try Certificate(derEncoded: try token.certificateDER())
        let publicKey = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try token.signatureBytes())
        func verifies(origin: String, nonce: String) throws -> Bool {
            let data = AuthenticationToken.signedData(origin: try Origin(origin), nonce: try Nonce(nonce), sha256: Self.sha256)
            return publicKey.isValidSignature(signature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        }
        #expect(try verifies(origin: Fixtures.origin, nonce: Fixtures.nonce))
        #expect(try verifies(origin: "HTTPS://auth.esw.esante.gouv.fr:443", nonce: Fixtures.nonce))   // same origin, canonicalised
        #expect(try !verifies(origin: "https://auth.esw.esante.gouv.fr:8443", nonce: Fixtures.nonce))
        #expect(try !verifies(origin: "http://auth.esw.esante.gouv.fr", nonce: Fixtures.nonce))
        #expect(try !verifies(origin: Fixtures.origin, nonce: "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjA="))
        // The nonce is signed as text: hashing its decoded bytes does not verify.
        let decoded = Array(Data(base64Encoded: Fixtures.nonce)!)
        let wrong = Self.sha256(Array(Fixtures.origin.utf8)) + Self.sha256(decoded)
        #expect(!publicKey.isValidSignature(signature, for: SHA256.hash(data: wrong), padding: .insecurePKCS1v1_5))
        // The subject is the test holder's.
        #expect(certificate.subject.description.contains("899700012345"))
    }

    @Test("PROTOCOL.md carries the same vector as the fixtures")
    func documentMatchesFixtures() throws {
        let document = try Fixtures.protocolDocument()
        let token = try expectedToken()
        #expect(document.contains(token.signature))
        #expect(document.contains(token.unverifiedCertificate))
        #expect(document.contains(Fixtures.nonce))
        let key = try Fixtures.text("test-vector-key.pem").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(document.contains(key))
        for digest in ["eaa1f8d30e4ea56333647d54f00fb8fedd22a10434c67fe007cf02c2b602ad94",
                       "f35edf4b154cb43a9d2cce2831199c97ce6dd53475a22c93a063f6a5dd143abb",
                       "5b0a3b15cd2253411cf39a64d7b079aa21e396803edf697aa89a573ec4671c3b"] {
            #expect(document.contains(digest))
        }
    }
}
