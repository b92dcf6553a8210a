import SwiftASN1
import X509

/// A `VerifierPolicy` that declares the critical extensions of one certificate and its
/// issuer handled, and checks nothing else. `OCSPClient` runs swift-certificates' `Verifier`
/// only to drive `OCSPVerifierPolicy` over a certificate and its issuer that the verifier has
/// already validated (RFC 5280 and the authentication policy, which handle these extensions);
/// without it, `Verifier` would refuse the pair for extensions the OCSP policy does not claim
/// (basic constraints, key usage), and never ask the responder.
struct ValidatedChainPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier]

    init(_ certificates: [Certificate]) {
        verifyingCriticalExtensions = Array(Set(certificates.flatMap { $0.extensions.filter(\.critical).map(\.oid) }))
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
