import Foundation
import X509

/// The configured CRLs by issuer, and which CA keys were seen to sign them at start.
struct RevocationIndex: Sendable {
    /// For each issuer name, its most recent CRL (`thisUpdate`).
    let byIssuer: [DistinguishedName: Entry]

    struct Entry: Sendable {
        var crl: CertificateRevocationList
        /// The configured CA keys this CRL's signature was verified with when the verifier
        /// was made, so that a verification does not repeat it.
        var verifiedKeys: [Certificate.PublicKey]
    }

    init(crls: [CertificateRevocationList], authorities: [Certificate]) {
        var byIssuer: [DistinguishedName: Entry] = [:]
        for crl in crls where crl.thisUpdate > byIssuer[crl.issuer]?.crl.thisUpdate ?? .distantPast {
            let keys = authorities.filter { $0.subject == crl.issuer && crl.isSignatureValid(issuer: $0) }.map(\.publicKey)
            byIssuer[crl.issuer] = Entry(crl: crl, verifiedKeys: keys)
        }
        self.byIssuer = byIssuer
    }

    /// Checks every certificate of `chain` but the anchor against its issuer's CRL, when one
    /// is configured.
    func check(chain: [Certificate], now: Date) throws(TokenVerificationError) {
        for index in chain.indices.dropLast() {
            let certificate = chain[index]
            let issuer = chain[index + 1]
            guard let entry = byIssuer[certificate.issuer] else { continue }
            let crl = entry.crl
            try validate(entry, issuer: issuer, now: now)
            if let revoked = crl.entry(for: certificate.serialNumber) {
                throw .certificateRevoked(serialNumber: certificate.serialNumber.description, revokedAt: revoked.revocationDate)
            }
        }
    }

    /// Signed by `issuer` (allowed to sign CRLs), and current at `now`.
    func validate(_ entry: Entry, issuer: Certificate, now: Date) throws(TokenVerificationError) {
        let crl = entry.crl
        guard crl.signatureAlgorithm != nil else {
            throw .crlInvalid("unsupported signature algorithm \(crl.signatureAlgorithmOID)")
        }
        guard entry.verifiedKeys.contains(issuer.publicKey) || crl.isSignatureValid(issuer: issuer) else {
            throw .crlInvalid("its signature does not verify with the key of \(issuer.subject)")
        }
        if let keyUsage = try? issuer.extensions.keyUsage, !keyUsage.cRLSign {
            throw .crlInvalid("\(issuer.subject) may not sign CRLs (no cRLSign key usage)")
        }
        guard now >= crl.thisUpdate else { throw .crlInvalid("it is not valid before \(crl.thisUpdate)") }
        guard let nextUpdate = crl.nextUpdate else { throw .crlInvalid("it has no nextUpdate, so its freshness is unknown") }
        guard now <= nextUpdate else { throw .crlExpired(nextUpdate: nextUpdate) }
    }
}
