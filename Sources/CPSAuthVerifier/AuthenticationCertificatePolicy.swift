import SwiftASN1
import X509

/// The leaf's purpose, as a swift-certificates policy beside `RFC5280Policy`: key usage
/// `digitalSignature`, and `clientAuth` when an extended key usage is present.
///
/// The verifier checks the same things itself first, to report each failure with its own
/// error; inside the `Verifier` this policy also declares key usage and extended key usage
/// as handled, so a leaf marking them critical is not refused for an unhandled critical
/// extension.
struct AuthenticationCertificatePolicy: VerifierPolicy {
    var requireClientAuthEKU: Bool

    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        switch Self.check(chain.leaf, requireClientAuthEKU: requireClientAuthEKU) {
        case nil: .meetsPolicy
        case .keyUsageMissing?: .failsToMeetPolicy(reason: "the leaf's key usage lacks digitalSignature")
        case .extendedKeyUsageMismatch?: .failsToMeetPolicy(reason: "the leaf's extended key usage lacks clientAuth")
        case let error?: .failsToMeetPolicy(reason: error.description)
        }
    }

    /// The leaf's key usage and extended key usage, checked; `nil` when they fit.
    static func check(_ leaf: Certificate, requireClientAuthEKU: Bool) -> TokenVerificationError? {
        do {
            guard let keyUsage = try leaf.extensions.keyUsage, keyUsage.digitalSignature else { return .keyUsageMissing }
            if requireClientAuthEKU, let eku = try leaf.extensions.extendedKeyUsage, !eku.contains(.clientAuth) {
                return .extendedKeyUsageMismatch
            }
            return nil
        } catch {
            return .certificateUnparsable("its key usage or extended key usage cannot be decoded: \(error)")
        }
    }
}
