import BridgeProtocol
@testable import CPSAuthVerifier
import CPSIdentity
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import Testing
import VerifierTestPKI
import X509

/// What a federator gets from a good token, and the token test vector.
@Suite("Verification: accepted tokens")
struct AcceptanceTests {
    let pki = Support.pki

    @Test("a token signed for this origin and an issued nonce is accepted, with the holder's claims")
    func goodToken() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: Support.origin, nonce: nonce)
        let login = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)
        #expect(login.certificate == pki.holder)
        #expect(login.chain == [pki.holder, pki.issuing, pki.root])
        #expect(login.algorithm == "RS256")
        #expect(login.identity.nationalId.value == "899700012345")
        #expect(login.claims == IdentityClaims(subjectNameID: "899700012345", givenName: "CAMILLE", familyName: "TEST-CPS",
                                               nationalIDType: "rpps", rpps: "99700012345", profession: "Médecin"))
        #expect(login.claims.preferredUsername == "899700012345")
        #expect(login.policy == VerifierTestPKI.personalAuthenticationPolicy)
        #expect(login.revocationNotCheckedFor.isEmpty)
        #expect(login.authenticationMethods == ["hwk", "mfa", "pin", "pop", "sc"])
    }

    @Test("the same token as JSON bytes, with its origin written non-canonically by the federator")
    func goodTokenJSON() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        let json = try Support.json(try pki.token(origin: Support.origin, nonce: nonce))
        let login = try await verifier.verify(tokenJSON: json, origin: "HTTPS://auth.esw.esante.gouv.fr:443", nonce: nonce)
        #expect(login.claims.subjectNameID == "899700012345")
    }

    @Test("a minor version of the format (web-eid:1.1) and unknown extra fields are accepted")
    func forwardCompatible() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        var token = try pki.token(origin: Support.origin, nonce: nonce)
        token.format = "web-eid:1.1"
        var object = try JSONSerialization.jsonObject(with: Support.json(token)) as! [String: Any]
        object["somethingNew"] = ["a": 1]
        let json = try JSONSerialization.data(withJSONObject: object)
        _ = try await verifier.verify(tokenJSON: json, origin: Support.origin, nonce: nonce)
    }

    @Test("PROTOCOL.md's test vector verifies, its self-signed TEST certificate pinned (it is no CA, so no anchor)")
    func protocolTestVector() async throws {
        let tokenJSON = Data(try Support.vectorFixture("test-vector-token.json").utf8)
        let certificateB64 = try Support.vectorFixture("test-vector-certificate.b64").trimmingCharacters(in: .whitespacesAndNewlines)
        let anchor = try Certificate(derEncoded: Array(try #require(Data(base64Encoded: certificateB64))))
        let store = InMemoryNonceStore()
        var configuration = VerifierConfiguration(trustAnchors: [], certificatePolicies: .notChecked)
        configuration.pinnedCertificates = [anchor]
        let verifier = CPSAuthVerifier(configuration: configuration, nonceStore: store)
        let nonce = "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg="
        let now = try #require(ISO8601DateFormatter().date(from: "2027-01-01T00:00:00Z"))
        await store.insert(nonce, expiresAt: now.addingTimeInterval(60), now: now)
        let login = try await verifier.verify(tokenJSON: tokenJSON, origin: "https://auth.esw.esante.gouv.fr", nonce: nonce, now: now)
        #expect(login.chain == [anchor])
        #expect(login.claims.subjectNameID == "899700012345")
        #expect(login.claims.familyName == "TEST-VECTOR")
        #expect(login.claims.givenName == "NOT A REAL CARD")
        #expect(login.claims.profession == "Médecin")

        // As an anchor it is refused: a self-signed certificate that is not a CA.
        let otherStore = InMemoryNonceStore()
        let asAnchor = CPSAuthVerifier(configuration: .init(trustAnchors: [anchor], certificatePolicies: .notChecked), nonceStore: otherStore)
        await otherStore.insert(nonce, expiresAt: now.addingTimeInterval(60), now: now)
        await Support.expectRefusal("untrustedCertificate") {
            _ = try await asAnchor.verify(tokenJSON: tokenJSON, origin: "https://auth.esw.esante.gouv.fr", nonce: nonce, now: now)
        }
    }

    @Test("a certificate without an extended key usage is accepted (clientAuth is checked only when one is present)")
    func noEKU() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: Support.origin, nonce: nonce, certificate: try pki.holder(extendedKeyUsage: nil))
        _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)
    }

    @Test("a critical extended key usage with clientAuth is accepted (the policy handles it)")
    func criticalEKU() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        let token = try pki.token(origin: Support.origin, nonce: nonce, certificate: try pki.holder(criticalEKU: true))
        _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)
    }

    @Test("PS256 and ES256 verify when the federator allows them; RS256 is the only default")
    func otherAlgorithms() async throws {
        #expect(VerifierConfiguration(trustAnchors: []).allowedAlgorithms == ["RS256"])
        let verifier = Support.verifier { $0.allowedAlgorithms = ["RS256", "PS256", "ES256"] }
        let origin = try Origin(Support.origin)

        // PS256 with the holder's RSA key.
        var nonce = try await verifier.issueNonce()
        var data = AuthenticationToken.signedData(origin: origin, nonce: try Nonce(nonce)) { Array(SHA256.hash(data: $0)) }
        let pss = try pki.holderKey.signature(for: SHA256.hash(data: data), padding: .PSS)
        var token = AuthenticationToken(unverifiedCertificate: try pki.token(origin: Support.origin, nonce: nonce).unverifiedCertificate,
                                        algorithm: "PS256", signature: pss.rawRepresentation.base64EncodedString(), appVersion: "x")
        _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)

        // ES256 with a P-256 holder key, r || s.
        let ecKey = P256.Signing.PrivateKey()
        let ecHolder = try VerifierTestPKI.makeHolder(publicKey: Certificate.PublicKey(ecKey.publicKey), issuer: pki.issuing,
                                                      issuerKey: pki.issuingKey, now: pki.now)
        nonce = try await verifier.issueNonce()
        data = AuthenticationToken.signedData(origin: origin, nonce: try Nonce(nonce)) { Array(SHA256.hash(data: $0)) }
        let ecdsa = try ecKey.signature(for: SHA256.hash(data: data))
        token = AuthenticationToken(certificateDER: try VerifierTestPKI.der(ecHolder), signature: Array(ecdsa.rawRepresentation), appVersion: "x")
        token.algorithm = "ES256"
        _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)

        // An RS256 token naming ES256 does not verify with an RSA key.
        nonce = try await verifier.issueNonce()
        token = try pki.token(origin: Support.origin, nonce: nonce)
        token.algorithm = "ES256"
        await Support.expectRefusal("invalidSignature") { _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce) }
    }
}
