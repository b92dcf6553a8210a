import BridgeProtocol
import CPSAuthVerifier
import Foundation
import Testing
import VerifierTestPKI
import X509

/// What every verifier test shares: the test PKI (made once per process), the federator's
/// origin, and a verifier trusting the test root and issuing CA.
enum Support {
    static let origin = "https://auth.esw.esante.gouv.fr"
    static let otherOrigin = "https://evil.example"
    static var pki: VerifierTestPKI { VerifierTestPKI.shared }

    /// Current CRLs of the root and of the issuing CA, revoking nothing (made once).
    static let currentCRLs: [CertificateRevocationList] = {
        do { return try pki.currentCRLs().map { try CertificateRevocationList(derEncoded: $0) } } catch { fatalError("\(error)") }
    }()
    /// The root's current CRL alone: with it, the issuing CA's status is established.
    static var rootCRL: CertificateRevocationList { currentCRLs[0] }

    /// The PSC profile over the test PKI: its anchors, its policy, the given CRLs (by default
    /// current ones for both CAs).
    static func configuration(crls: [CertificateRevocationList]? = nil) -> VerifierConfiguration {
        VerifierConfiguration(trustAnchors: [pki.root], intermediates: [pki.issuing], crls: crls ?? currentCRLs,
                              certificatePolicies: .anyOf([VerifierTestPKI.personalAuthenticationPolicy]),
                              smartCardPolicies: [VerifierTestPKI.personalAuthenticationPolicy])
    }

    static func verifier(crls: [CertificateRevocationList]? = nil, store: any NonceStore = InMemoryNonceStore(),
                         configure: (inout VerifierConfiguration) -> Void = { _ in }) -> CPSAuthVerifier {
        var configuration = configuration(crls: crls)
        configure(&configuration)
        return CPSAuthVerifier(configuration: configuration, nonceStore: store)
    }

    /// Expects `body` to fail with the error of `code`, and returns the error.
    @discardableResult
    static func expectRefusal(_ code: String, sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: () async throws -> Void) async -> TokenVerificationError? {
        do {
            try await body()
            Issue.record("expected \(code), but the token was accepted", sourceLocation: sourceLocation)
        } catch let error as TokenVerificationError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    static func json(_ token: AuthenticationToken) throws -> Data {
        try JSONEncoder().encode(token)
    }

    /// Tests/BridgeProtocolTests/Fixtures/<name>: PROTOCOL.md's test vector.
    static func vectorFixture(_ name: String) throws -> String {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: tests.appendingPathComponent("BridgeProtocolTests/Fixtures/\(name)"), encoding: .utf8)
    }
}
