import Foundation
import X509

/// How the status of each certificate of a chain is established: the configured CRLs by
/// issuer name (with the CA keys each one's signature was verified with when the verifier
/// was made), the CRLs of a `CRLStore` that a reloader updates, an OCSP source, the policy
/// combining them, and the issuers opted out.
///
/// A CRL is only *considered* once its signature verifies with the key of the issuer in the
/// validated chain: a CRL that merely names the issuer (forged, or signed by a former key)
/// is ignored, so it can neither revoke nor un-revoke anything, and cannot hide the valid
/// one by being newer.
struct RevocationIndex: Sendable {
    /// For each issuer name, its configured CRLs.
    let byIssuer: [DistinguishedName: [Entry]]
    let store: CRLStore?
    let ocsp: (any OCSPStatusSource)?
    let policy: RevocationPolicy
    let notCheckedFor: [IssuerReference]

    typealias Entry = CRLStore.Entry

    init(crls: [CertificateRevocationList], authorities: [Certificate], notCheckedFor: [IssuerReference] = [],
         store: CRLStore? = nil, ocsp: (any OCSPStatusSource)? = nil, policy: RevocationPolicy = .ocspThenCRL) {
        var byIssuer: [DistinguishedName: [Entry]] = [:]
        for crl in Set(crls) {
            let keys = authorities.filter { $0.subject == crl.issuer && crl.isSignatureValid(issuer: $0) }.map(\.publicKey)
            byIssuer[crl.issuer, default: []].append(Entry(crl: crl, verifiedKeys: keys))
        }
        self.byIssuer = byIssuer
        self.notCheckedFor = notCheckedFor
        self.store = store
        self.ocsp = ocsp
        self.policy = policy
    }

    /// Checks every certificate of `chain` but the anchor: its issuer (the next certificate)
    /// must be opted out, or the certificate's status established as `policy` says and not
    /// revoked.
    /// - Returns: the issuers whose certificates were not checked (opted out).
    @discardableResult
    func check(chain: [Certificate], now: Date) async throws(TokenVerificationError) -> [DistinguishedName] {
        var notChecked: [DistinguishedName] = []
        for index in chain.indices.dropLast() {
            let certificate = chain[index]
            let issuer = chain[index + 1]
            if notCheckedFor.contains(where: { $0.matches(issuer) }) {
                notChecked.append(issuer.subject)
                continue
            }
            try await checkOne(certificate, issuer: issuer, now: now)
        }
        return notChecked
    }

    /// One certificate: the sources in the policy's order until one establishes a status.
    func checkOne(_ certificate: Certificate, issuer: Certificate, now: Date) async throws(TokenVerificationError) {
        var reasons: [String] = []
        let order: [Source] = switch policy {
        case .ocspThenCRL: [.ocsp, .crl]
        case .crlThenOCSP: [.crl, .ocsp]
        case .crlOnly: [.crl]
        case .ocspOnly: [.ocsp]
        }
        for source in order {
            switch source {
            case .crl:
                switch currentCRL(of: issuer, for: certificate, now: now) {
                case .found(let crl):
                    if let revoked = crl.entry(for: certificate.serialNumber) {
                        throw .certificateRevoked(serialNumber: certificate.serialNumber.description, revokedAt: revoked.revocationDate)
                    }
                    return
                case .missing(let why):
                    reasons.append(why)
                }
            case .ocsp:
                guard let ocsp else {
                    reasons.append("OCSP: no OCSP source configured")
                    continue
                }
                switch await ocsp.status(of: certificate, issuer: issuer, now: now) {
                case .good:
                    return
                case .revoked(let at):
                    throw .certificateRevoked(serialNumber: certificate.serialNumber.description, revokedAt: at ?? now)
                case .unknown(let why):
                    reasons.append("OCSP: \(why)")
                }
            }
        }
        throw .revocationUnknown("\(certificate.subject) (serial \(certificate.serialNumber)), policy \(policy.rawValue): "
            + reasons.joined(separator: "; "))
    }

    enum Source { case crl, ocsp }

    /// A CRL that can be used, or why there is none.
    enum CRLLookup {
        case found(CertificateRevocationList)
        case missing(String)
    }

    /// The newest CRL of `issuer` covering `certificate` that is valid at `now` (configured
    /// or from the store), or why there is none.
    func currentCRL(of issuer: Certificate, for certificate: Certificate, now: Date) -> CRLLookup {
        let candidates = ((byIssuer[certificate.issuer] ?? []) + (store?.entries(for: certificate.issuer) ?? []))
            .sorted { Self.isNewer($0.crl, than: $1.crl) }
        var rejected: [String] = []
        for entry in candidates {
            if let why = Self.problem(entry, issuer: issuer, certificate: certificate, now: now) {
                rejected.append(why)
            } else {
                return .found(entry.crl)
            }
        }
        return .missing(rejected.isEmpty ? "no CRL of \(issuer.subject)"
            : "no valid CRL of \(issuer.subject): " + rejected.joined(separator: "; "))
    }

    /// Why this CRL cannot be used for `certificate`, issued by `issuer`, at `now`, or `nil`
    /// when it can: its signature verifies with `issuer`'s key, `issuer` may sign CRLs, its
    /// scope covers the certificate, `thisUpdate <= now <= nextUpdate`.
    static func problem(_ entry: Entry, issuer: Certificate, certificate: Certificate, now: Date) -> String? {
        let crl = entry.crl
        // Only on a refusal: an ISO8601DateFormatter costs ~0.1 ms, as much as half a verification.
        var name: String { "CRL of \(iso(crl.thisUpdate))" }
        guard crl.signatureAlgorithm != nil else { return "\(name): unsupported signature algorithm \(crl.signatureAlgorithmOID)" }
        guard entry.verifiedKeys.contains(issuer.publicKey) || crl.isSignatureValid(issuer: issuer) else {
            return "\(name): its signature does not verify with the issuer's key"
        }
        if let keyUsage = try? issuer.extensions.keyUsage, !keyUsage.cRLSign { return "\(name): the issuer has no cRLSign key usage" }
        guard crl.scope.covers(certificate) else {
            return "\(name): its issuingDistributionPoint covers \(crl.scope == .endEntities ? "end-entity" : "CA") certificates only"
        }
        guard now >= crl.thisUpdate else { return "\(name): not valid yet" }
        guard let nextUpdate = crl.nextUpdate else { return "\(name): no nextUpdate" }
        guard now <= nextUpdate else { return "\(name): stale since its nextUpdate \(iso(nextUpdate))" }
        return nil
    }

    /// Later `thisUpdate`, or the same with a greater `cRLNumber`.
    static func isNewer(_ a: CertificateRevocationList, than b: CertificateRevocationList) -> Bool {
        a.thisUpdate != b.thisUpdate ? a.thisUpdate > b.thisUpdate : greater(number(a), number(b))
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
