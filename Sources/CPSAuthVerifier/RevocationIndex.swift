import Foundation
import X509

/// The configured CRLs by issuer name, with the CA keys each one's signature was verified
/// with when the verifier was made, and the issuers opted out of revocation checking.
///
/// A CRL is only *considered* once its signature verifies with the key of the issuer in the
/// validated chain: a CRL that merely names the issuer (forged, or signed by a former key)
/// is ignored, so it can neither revoke nor un-revoke anything, and cannot hide the valid
/// one by being newer.
struct RevocationIndex: Sendable {
    /// For each issuer name, its CRLs, newest first (`thisUpdate`, then `cRLNumber`).
    let byIssuer: [DistinguishedName: [Entry]]
    let notCheckedFor: [IssuerReference]

    struct Entry: Sendable {
        var crl: CertificateRevocationList
        /// The configured CA keys this CRL's signature verified with when the verifier was
        /// made, so that a verification does not repeat it.
        var verifiedKeys: [Certificate.PublicKey]
    }

    init(crls: [CertificateRevocationList], authorities: [Certificate], notCheckedFor: [IssuerReference] = []) {
        var byIssuer: [DistinguishedName: [Entry]] = [:]
        for crl in Set(crls) {
            let keys = authorities.filter { $0.subject == crl.issuer && crl.isSignatureValid(issuer: $0) }.map(\.publicKey)
            byIssuer[crl.issuer, default: []].append(Entry(crl: crl, verifiedKeys: keys))
        }
        self.byIssuer = byIssuer.mapValues { entries in
            entries.sorted { a, b in
                a.crl.thisUpdate != b.crl.thisUpdate ? a.crl.thisUpdate > b.crl.thisUpdate
                    : Self.greater(Self.number(a.crl), Self.number(b.crl))
            }
        }
        self.notCheckedFor = notCheckedFor
    }

    /// Checks every certificate of `chain` but the anchor: its issuer (the next certificate)
    /// must be opted out, or have a valid current CRL, which must not list it.
    /// - Returns: the issuers whose certificates were not checked (opted out).
    @discardableResult
    func check(chain: [Certificate], now: Date) throws(TokenVerificationError) -> [DistinguishedName] {
        var notChecked: [DistinguishedName] = []
        for index in chain.indices.dropLast() {
            let certificate = chain[index]
            let issuer = chain[index + 1]
            if notCheckedFor.contains(where: { $0.matches(issuer) }) {
                notChecked.append(issuer.subject)
                continue
            }
            let crl = try currentCRL(of: issuer, for: certificate, now: now)
            if let revoked = crl.entry(for: certificate.serialNumber) {
                throw .certificateRevoked(serialNumber: certificate.serialNumber.description, revokedAt: revoked.revocationDate)
            }
        }
        return notChecked
    }

    /// The newest CRL of `issuer` that is valid at `now`; the reasons the others were set
    /// aside go into `revocationUnknown` when none is.
    func currentCRL(of issuer: Certificate, for certificate: Certificate,
                    now: Date) throws(TokenVerificationError) -> CertificateRevocationList {
        var rejected: [String] = []
        for entry in byIssuer[certificate.issuer] ?? [] {
            if let why = Self.problem(entry, issuer: issuer, now: now) {
                rejected.append(why)
            } else {
                return entry.crl
            }
        }
        let subject = "\(certificate.subject) (serial \(certificate.serialNumber))"
        throw .revocationUnknown(rejected.isEmpty
            ? "no CRL of \(issuer.subject) for \(subject)"
            : "no valid CRL of \(issuer.subject) for \(subject): " + rejected.joined(separator: "; "))
    }

    /// Why this CRL cannot be used for `issuer`'s certificates at `now`, or `nil` when it can:
    /// its signature verifies with `issuer`'s key, `issuer` may sign CRLs, `thisUpdate <= now
    /// <= nextUpdate`.
    static func problem(_ entry: Entry, issuer: Certificate, now: Date) -> String? {
        let crl = entry.crl
        let name = "CRL of \(iso(crl.thisUpdate))"
        guard crl.signatureAlgorithm != nil else { return "\(name): unsupported signature algorithm \(crl.signatureAlgorithmOID)" }
        guard entry.verifiedKeys.contains(issuer.publicKey) || crl.isSignatureValid(issuer: issuer) else {
            return "\(name): its signature does not verify with the issuer's key"
        }
        if let keyUsage = try? issuer.extensions.keyUsage, !keyUsage.cRLSign { return "\(name): the issuer has no cRLSign key usage" }
        guard now >= crl.thisUpdate else { return "\(name): not valid yet" }
        guard let nextUpdate = crl.nextUpdate else { return "\(name): no nextUpdate" }
        guard now <= nextUpdate else { return "\(name): stale since its nextUpdate \(iso(nextUpdate))" }
        return nil
    }

    /// The `cRLNumber` as an unsigned big-endian number, for ordering two CRLs of one time.
    static func number(_ crl: CertificateRevocationList) -> [UInt8] {
        Array((crl.crlNumber ?? []).drop { $0 == 0 })
    }

    /// Numeric order of unsigned big-endian integers without leading zeros.
    static func greater(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.count != rhs.count ? lhs.count > rhs.count : rhs.lexicographicallyPrecedes(lhs)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
