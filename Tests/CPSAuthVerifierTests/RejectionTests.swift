import BridgeProtocol
import CPSAuthVerifier
import CPSIdentity
import Foundation
import _CryptoExtras
import Testing
import VerifierTestPKI
import X509

/// Each way a token is refused, with its own error.
@Suite("Verification: refused tokens")
struct RejectionTests {
    let pki = Support.pki
    let origin = Support.origin

    /// A fresh verifier, an issued nonce, and a good token for it.
    func setUp(certificate: Certificate? = nil) async throws -> (CPSAuthVerifier, String, AuthenticationToken) {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        return (verifier, nonce, try pki.token(origin: origin, nonce: nonce, certificate: certificate))
    }

    @Test("a tampered signature: invalidSignature")
    func tamperedSignature() async throws {
        let (verifier, nonce, good) = try await setUp()
        var token = good
        var bytes = try token.signatureBytes()
        bytes[bytes.count / 2] ^= 0x01
        token.signature = Data(bytes).base64EncodedString()
        await Support.expectRefusal("invalidSignature") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a token signed for another origin: invalidSignature")
    func otherOrigin() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: Support.otherOrigin, nonce: nonce)
        await Support.expectRefusal("invalidSignature") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a token signed over another nonce (issued too, and fresh): invalidSignature")
    func otherNonce() async throws {
        let verifier = Support.verifier()
        let signed = try await verifier.issueNonce()
        let presented = try await verifier.issueNonce()
        let token = try pki.token(origin: origin, nonce: signed)
        await Support.expectRefusal("invalidSignature") { _ = try await verifier.verify(token: token, origin: origin, nonce: presented) }
    }

    @Test("the same nonce a second time: nonceReplayed, even with a good token")
    func replayedNonce() async throws {
        let (verifier, nonce, token) = try await setUp()
        _ = try await verifier.verify(token: token, origin: origin, nonce: nonce)
        await Support.expectRefusal("nonceReplayed") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a refused token spends its nonce too: a corrected retry is a replay")
    func failedAttemptSpendsTheNonce() async throws {
        let (verifier, nonce, token) = try await setUp()
        var broken = token
        broken.format = "web-eid:2.0"
        await Support.expectRefusal("unsupportedFormat") { _ = try await verifier.verify(token: broken, origin: origin, nonce: nonce) }
        await Support.expectRefusal("nonceReplayed") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a nonce presented after its lifetime: nonceExpired")
    func expiredNonce() async throws {
        let verifier = Support.verifier { $0.nonceLifetime = .seconds(60) }
        let issued = pki.now
        let nonce = try await verifier.issueNonce(now: issued)
        let token = try pki.token(origin: origin, nonce: nonce)
        await Support.expectRefusal("nonceExpired") {
            _ = try await verifier.verify(token: token, origin: origin, nonce: nonce, now: issued.addingTimeInterval(61))
        }
    }

    @Test("a nonce within its lifetime is accepted at the last second")
    func nonceAtTheEdge() async throws {
        let verifier = Support.verifier { $0.nonceLifetime = .seconds(60) }
        let nonce = try await verifier.issueNonce(now: pki.now)
        let token = try pki.token(origin: origin, nonce: nonce)
        _ = try await verifier.verify(token: token, origin: origin, nonce: nonce, now: pki.now.addingTimeInterval(59))
    }

    @Test("a nonce this verifier never issued (valid base64 or not): nonceUnknown")
    func unknownNonce() async throws {
        let verifier = Support.verifier()
        let nonce = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let token = try pki.token(origin: origin, nonce: nonce)
        await Support.expectRefusal("nonceUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        await Support.expectRefusal("nonceUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: "abc") }
    }

    @Test("a certificate from an unknown CA: untrustedCertificate")
    func unknownCA() async throws {
        let (verifier, nonce, token) = try await setUp(certificate: try pki.holder(foreign: true))
        await Support.expectRefusal("untrustedCertificate") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a trusted root without the intermediate configured: untrustedCertificate")
    func missingIntermediate() async throws {
        let verifier = Support.verifier { $0.intermediates = [] }
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: origin, nonce: nonce)
        await Support.expectRefusal("untrustedCertificate") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a certificate signed by a key other than its named issuer's: untrustedCertificate")
    func forgedIssuer() async throws {
        // Names the trusted issuing CA as issuer, but is signed by the foreign key.
        let forged = try VerifierTestPKI.makeHolder(publicKey: Certificate.PublicKey(pki.holderKey.publicKey), issuer: pki.issuing,
                                                    issuerKey: pki.foreignKey, now: pki.now)
        let (verifier, nonce, token) = try await setUp(certificate: forged)
        await Support.expectRefusal("untrustedCertificate") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("an expired certificate: certificateExpired")
    func expiredCertificate() async throws {
        let expired = try pki.holder(notBefore: pki.now.addingTimeInterval(-400 * 86_400), notAfter: pki.now.addingTimeInterval(-86_400))
        let (verifier, nonce, token) = try await setUp(certificate: expired)
        let error = await Support.expectRefusal("certificateExpired") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        #expect(error == .certificateExpired(notAfter: expired.notValidAfter))
    }

    @Test("a certificate not valid yet: certificateNotYetValid")
    func futureCertificate() async throws {
        let future = try pki.holder(notBefore: pki.now.addingTimeInterval(86_400), notAfter: pki.now.addingTimeInterval(400 * 86_400))
        let (verifier, nonce, token) = try await setUp(certificate: future)
        await Support.expectRefusal("certificateNotYetValid") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a certificate whose key usage lacks digitalSignature, or has no key usage: keyUsageMissing")
    func noDigitalSignature() async throws {
        for certificate in [try pki.holder(keyUsage: KeyUsage(keyEncipherment: true)), try pki.holder(keyUsage: nil)] {
            let (verifier, nonce, token) = try await setUp(certificate: certificate)
            await Support.expectRefusal("keyUsageMissing") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        }
    }

    @Test("a certificate whose extended key usage lacks clientAuth: extendedKeyUsageMismatch")
    func wrongEKU() async throws {
        let (verifier, nonce, token) = try await setUp(certificate: try pki.holder(extendedKeyUsage: [.serverAuth, .emailProtection]))
        await Support.expectRefusal("extendedKeyUsageMismatch") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a malformed token: not JSON, not an object, a missing field, a number for a string, bad base64")
    func malformedToken() async throws {
        let verifier = Support.verifier()
        let good = try pki.token(origin: origin, nonce: try await verifier.issueNonce())
        var object = try JSONSerialization.jsonObject(with: Support.json(good)) as! [String: Any]
        var bodies: [Data] = [Data("not json".utf8), Data("[1,2]".utf8), Data("{}".utf8)]
        object["signature"] = nil
        bodies.append(try JSONSerialization.data(withJSONObject: object))
        object["signature"] = 42
        bodies.append(try JSONSerialization.data(withJSONObject: object))
        object["signature"] = "not base64!"
        bodies.append(try JSONSerialization.data(withJSONObject: object))
        object["signature"] = good.signature
        object["unverifiedCertificate"] = "%%%"
        bodies.append(try JSONSerialization.data(withJSONObject: object))
        for body in bodies {
            let nonce = try await verifier.issueNonce()
            await Support.expectRefusal("malformedToken") { _ = try await verifier.verify(tokenJSON: body, origin: origin, nonce: nonce) }
        }
    }

    @Test("an oversized token, as JSON or as a decoded token: tokenTooLarge, before any parsing")
    func oversizedToken() async throws {
        let verifier = Support.verifier()
        var nonce = try await verifier.issueNonce()
        let huge = Data(("{\"format\":\"" + String(repeating: "x", count: 20_000) + "\"}").utf8)
        let error = await Support.expectRefusal("tokenTooLarge") { _ = try await verifier.verify(tokenJSON: huge, origin: origin, nonce: nonce) }
        #expect(error == .tokenTooLarge(bytes: huge.count, limit: 16 * 1024))
        // Not even JSON: the size is checked first.
        nonce = try await verifier.issueNonce()
        await Support.expectRefusal("tokenTooLarge") {
            _ = try await verifier.verify(tokenJSON: Data(repeating: 0x7B, count: 16 * 1024 + 1), origin: origin, nonce: nonce)
        }
        nonce = try await verifier.issueNonce()
        var token = try pki.token(origin: origin, nonce: nonce)
        token.appVersion = String(repeating: "v", count: 16 * 1024)
        await Support.expectRefusal("tokenTooLarge") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("an unknown format: unsupportedFormat", arguments: ["web-eid:2.0", "web-eid:10", "webeid:1.0", ""])
    func unsupportedFormat(format: String) async throws {
        let (verifier, nonce, good) = try await setUp()
        var token = good
        token.format = format
        await Support.expectRefusal("unsupportedFormat") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("token text in an error's description cannot forge a log line")
    func descriptionsEscapeTokenText() async throws {
        let (verifier, nonce, good) = try await setUp()
        var token = good
        token.format = "web-eid:9\n2026-11-30T00:00:00+0000 notice federator: login accepted for 899700012345" + String(repeating: "x", count: 500)
        do {
            _ = try await verifier.verify(token: token, origin: origin, nonce: nonce)
            Issue.record("accepted")
        } catch {
            #expect(error.code == "unsupportedFormat")
            #expect(!error.description.contains("\n"))
            #expect(error.description.count < 200)
        }
    }

    @Test("an algorithm outside the allow-list: unsupportedAlgorithm", arguments: ["none", "HS256", "RS512", "ES256", "PS256", "rs256"])
    func unsupportedAlgorithm(algorithm: String) async throws {
        let (verifier, nonce, good) = try await setUp()
        var token = good
        token.algorithm = algorithm
        await Support.expectRefusal("unsupportedAlgorithm") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("base64 that is not a certificate: certificateUnparsable")
    func unparsableCertificate() async throws {
        let (verifier, nonce, good) = try await setUp()
        var token = good
        token.unverifiedCertificate = Data("definitely not DER".utf8).base64EncodedString()
        await Support.expectRefusal("certificateUnparsable") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a federator origin that is not an origin: invalidOrigin")
    func invalidOrigin() async throws {
        let (verifier, nonce, token) = try await setUp()
        await Support.expectRefusal("invalidOrigin") {
            _ = try await verifier.verify(token: token, origin: "https://auth.esw.esante.gouv.fr/", nonce: nonce)
        }
    }

    @Test("an http origin: insecureOrigin, unless the configuration allows insecure origins explicitly")
    func insecureOrigin() async throws {
        let http = "http://127.0.0.1:8080"
        let verifier = Support.verifier()
        var nonce = try await verifier.issueNonce()
        var token = try pki.token(origin: http, nonce: nonce)
        let error = await Support.expectRefusal("insecureOrigin") { _ = try await verifier.verify(token: token, origin: http, nonce: nonce) }
        #expect(error == .insecureOrigin(http))
        let lenient = Support.verifier { $0.allowInsecureOrigins = true }
        nonce = try await lenient.issueNonce()
        token = try pki.token(origin: http, nonce: nonce)
        _ = try await lenient.verify(token: token, origin: http, nonce: nonce)
    }

    @Test("a certificate without the configured policy (none, or another one): policyNotAllowed")
    func policyNotAllowed() async throws {
        for policies in [[], [VerifierTestPKI.otherPolicy]] {
            let (verifier, nonce, token) = try await setUp(certificate: try pki.holder(policies: policies))
            await Support.expectRefusal("policyNotAllowed") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        }
        // The default configuration accepts no policy until the federator names some.
        let strict = CPSAuthVerifier(configuration: .init(trustAnchors: [pki.root], intermediates: [pki.issuing], crls: Support.currentCRLs))
        let nonce = try await strict.issueNonce()
        let token = try pki.token(origin: origin, nonce: nonce)
        await Support.expectRefusal("policyNotAllowed") { _ = try await strict.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("policies not checked (an explicit opt-out): a certificate without one is accepted, amr pop only")
    func policiesNotChecked() async throws {
        let verifier = Support.verifier { $0.certificatePolicies = .notChecked }
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: origin, nonce: nonce, certificate: try pki.holder(policies: []))
        let login = try await verifier.verify(token: token, origin: origin, nonce: nonce)
        #expect(login.policy == nil)
        #expect(login.authenticationMethods == ["pop"])
    }

    @Test("an organisation's certificate (no surname): organizationCertificate")
    func organizationCertificate() async throws {
        let (verifier, nonce, token) = try await setUp(certificate: try pki.holder(subject: try VerifierTestPKI.organizationName()))
        await Support.expectRefusal("organizationCertificate") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a national identifier type outside the accepted ones: nationalIDTypeNotAllowed")
    func nationalIDType() async throws {
        // An identifier of no known type, on a person's certificate: refused by default.
        let unknown = try pki.holder(subject: try VerifierTestPKI.holderName(nationalID: "X12345"))
        var (verifier, nonce, token) = try await setUp(certificate: unknown)
        await Support.expectRefusal("nationalIDTypeNotAllowed") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        // RPPS only: a staff card's FINESS-based identifier is refused.
        verifier = Support.verifier { $0.acceptedNationalIDTypes = [.rpps] }
        nonce = try await verifier.issueNonce()
        let staff = try pki.holder(subject: try VerifierTestPKI.holderName(nationalID: "3123456789/1234"))
        token = try pki.token(origin: origin, nonce: nonce, certificate: staff)
        let error = await Support.expectRefusal("nationalIDTypeNotAllowed") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        #expect(error == .nationalIDTypeNotAllowed("finess"))
    }

    @Test("a certificate that names no national identifier: identityMissing")
    func noNationalID() async throws {
        let subject = DistinguishedName([RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "FR"))])
        let (verifier, nonce, token) = try await setUp(certificate: try pki.holder(subject: subject))
        await Support.expectRefusal("identityMissing") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a nonce store that fails: nonceStoreUnavailable")
    func brokenStore() async throws {
        struct Down: NonceStore {
            struct Unreachable: Error {}
            func insert(_ nonce: String, expiresAt: Date, now: Date) async throws {}
            func consume(_ nonce: String, now: Date) async throws -> NonceState { throw Unreachable() }
        }
        let verifier = Support.verifier(store: Down())
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: origin, nonce: nonce)
        await Support.expectRefusal("nonceStoreUnavailable") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("every error has its own stable code and says something in both languages")
    func codes() {
        let errors: [TokenVerificationError] = [
            .tokenTooLarge(bytes: 1, limit: 0), .malformedToken(""), .unsupportedFormat(""), .unsupportedAlgorithm(""),
            .invalidSignature, .invalidOrigin(""), .insecureOrigin(""), .nonceUnknown, .nonceReplayed, .nonceExpired, .nonceStoreUnavailable(""),
            .certificateUnparsable(""), .certificateExpired(notAfter: Date()), .certificateNotYetValid(notBefore: Date()),
            .untrustedCertificate(""), .keyUsageMissing, .extendedKeyUsageMismatch,
            .certificateRevoked(serialNumber: "01", revokedAt: Date()), .revocationUnknown(""), .policyNotAllowed(""),
            .identityMissing, .organizationCertificate(""), .nationalIDTypeNotAllowed(""),
        ]
        #expect(errors.map(\.code) == TokenVerificationError.allCodes)
        #expect(Set(errors.map(\.code)).count == errors.count)
        for error in errors {
            #expect(error.description.hasPrefix(error.code + ": "))
            #expect(!error.message.fr.isEmpty && !error.message.en.isEmpty)
        }
    }
}
