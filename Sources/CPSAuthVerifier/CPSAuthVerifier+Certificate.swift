@_spi(FixedExpiryValidationTime) import X509
import Foundation

extension CPSAuthVerifier {
    /// The leaf's own checks (validity, key usage, extended key usage), each with its own
    /// error, then a chain to a trust anchor with swift-certificates' `Verifier`.
    /// - Returns: the chain, leaf first, anchor last.
    func validateCertificate(_ leaf: Certificate, now: Date) async throws(TokenVerificationError) -> [Certificate] {
        guard now >= leaf.notValidBefore else { throw .certificateNotYetValid(notBefore: leaf.notValidBefore) }
        guard now <= leaf.notValidAfter else { throw .certificateExpired(notAfter: leaf.notValidAfter) }
        let requireEKU = configuration.requireClientAuthEKU
        if let error = AuthenticationCertificatePolicy.check(leaf, requireClientAuthEKU: requireEKU) { throw error }

        if configuration.pinnedCertificates.contains(leaf) { return [leaf] }
        var verifier = Verifier(rootCertificates: anchors) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            AuthenticationCertificatePolicy(requireClientAuthEKU: requireEKU)
        }
        switch await verifier.validate(leaf: leaf, intermediates: intermediates) {
        case .validCertificate(let chain):
            return Array(chain)
        case .couldNotValidate(let failures):
            let reasons = failures.map(\.policyFailureReason.description)
            throw .untrustedCertificate(reasons.isEmpty
                ? "no chain from \(leaf.issuer) to a configured trust anchor"
                : reasons.joined(separator: "; "))
        }
    }
}
