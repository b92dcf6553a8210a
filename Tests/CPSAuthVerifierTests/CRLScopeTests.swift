import BridgeProtocol
import CPSAuthVerifier
import _CryptoExtras
import Foundation
import SwiftASN1
import Testing
import VerifierTestPKI
import X509

/// `issuingDistributionPoint` limiting a CRL to end-entity or to CA certificates: such a CRL
/// gives the status of those only.
@Suite("Revocation (CRL scope)")
struct CRLScopeTests {
    let pki = Support.pki
    let origin = Support.origin

    /// IDP `onlyContainsUserCerts` ([1] TRUE) and `onlyContainsCACerts` ([2] TRUE), critical.
    static let usersOnly = Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x03, 0x81, 0x01, 0xFF])
    static let casOnly = Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x03, 0x82, 0x01, 0xFF])

    func crl(of ca: Certificate, key: _RSA.Signing.PrivateKey, scope: Certificate.Extension?,
             revoking: [ArraySlice<UInt8>] = []) throws -> CertificateRevocationList {
        let der = try CRLIssuer(issuer: ca.subject, key: key)
            .issue(entries: revoking.map { .init(serial: $0, date: pki.now.addingTimeInterval(-60)) },
                   thisUpdate: pki.now.addingTimeInterval(-3600), nextUpdate: pki.now.addingTimeInterval(86_400),
                   extensions: scope.map { [$0] } ?? [])
        return try CertificateRevocationList(derEncoded: der)
    }

    func verify(_ crls: [CertificateRevocationList]) async throws {
        let verifier = Support.verifier(crls: crls) { $0.revocationPolicy = .crlOnly }
        let nonce = try await verifier.issueNonce()
        _ = try await verifier.verify(token: try pki.token(origin: origin, nonce: nonce), origin: origin, nonce: nonce)
    }

    @Test("the scope is read from the IDP")
    func parsed() throws {
        #expect(try crl(of: pki.issuing, key: pki.issuingKey, scope: Self.usersOnly).scope == .endEntities)
        #expect(try crl(of: pki.root, key: pki.rootKey, scope: Self.casOnly).scope == .certificateAuthorities)
        #expect(try crl(of: pki.root, key: pki.rootKey, scope: nil).scope == .all)
    }

    @Test("an end-entity CRL for the holder and a CA CRL for the issuing CA: accepted; a revocation in them counts")
    func matchingScopes() async throws {
        let users = try crl(of: pki.issuing, key: pki.issuingKey, scope: Self.usersOnly)
        let cas = try crl(of: pki.root, key: pki.rootKey, scope: Self.casOnly)
        try await verify([users, cas])
        let revoking = try crl(of: pki.issuing, key: pki.issuingKey, scope: Self.usersOnly, revoking: [pki.holder.serialNumber.bytes])
        await Support.expectRefusal("certificateRevoked") { try await verify([revoking, cas]) }
    }

    @Test("a CA-only CRL is not used for the holder, an end-entity CRL not for the issuing CA: revocationUnknown")
    func mismatchedScopes() async throws {
        let casOfIssuing = try crl(of: pki.issuing, key: pki.issuingKey, scope: Self.casOnly)
        let error = await Support.expectRefusal("revocationUnknown") { try await verify([casOfIssuing, Support.rootCRL]) }
        #expect(error?.description.contains("CA certificates only") == true, "\(String(describing: error))")
        let usersOfRoot = try crl(of: pki.root, key: pki.rootKey, scope: Self.usersOnly)
        let issuingCRL = try crl(of: pki.issuing, key: pki.issuingKey, scope: nil)
        let other = await Support.expectRefusal("revocationUnknown") { try await verify([issuingCRL, usersOfRoot]) }
        #expect(other?.description.contains("end-entity certificates only") == true, "\(String(describing: other))")
    }
}
