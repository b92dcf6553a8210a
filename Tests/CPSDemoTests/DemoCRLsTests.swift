import CPSAuthVerifier
import CPSDemo
import Foundation
import SwiftASN1
import _CryptoExtras
import Testing
import VerifierTestPKI
import X509

/// The demo's CRLs, made by openssl from the test CAs' key files, establish the holder's
/// status for the verifier (revocation required, nothing opted out).
@Suite struct DemoCRLsTests {
    let pki = VerifierTestPKI.shared

    @Test func opensslCRLsOfTheTestCAsLetTheVerifierEstablishTheHoldersStatus() async throws {
        let card = FileManager.default.temporaryDirectory.appendingPathComponent("demo-crls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: card, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: card) }
        for (name, certificate, key) in [("root-ca", pki.root, pki.rootKey), ("issuing-ca", pki.issuing, pki.issuingKey)] {
            try PEMDocument(type: "CERTIFICATE", derBytes: try VerifierTestPKI.der(certificate)).pemString
                .write(to: card.appendingPathComponent(name + ".pem"), atomically: true, encoding: .utf8)
            try key.pemRepresentation.write(to: card.appendingPathComponent(name + ".key"), atomically: true, encoding: .utf8)
        }
        let paths = try DemoCRLs.issue(cardDirectory: card, into: card.appendingPathComponent("crl"))
        #expect(paths.count == 2)
        let crls = try paths.map { try VerifierConfiguration.crl(fromFile: $0) }
        #expect(crls.map(\.issuer) == [pki.root.subject, pki.issuing.subject])
        #expect(crls[0].isSignatureValid(issuer: pki.root) && crls[1].isSignatureValid(issuer: pki.issuing))

        let verifier = CPSAuthVerifier(configuration: .init(
            trustAnchors: [pki.root], intermediates: [pki.issuing], crls: crls,
            certificatePolicies: .anyOf([VerifierTestPKI.personalAuthenticationPolicy])))
        let nonce = try await verifier.issueNonce()
        let origin = "https://auth.example.test"
        let login = try await verifier.verify(token: try pki.token(origin: origin, nonce: nonce), origin: origin, nonce: nonce)
        #expect(login.revocationNotCheckedFor.isEmpty)
    }
}
