import Foundation
import Synchronization
import X509

/// CRLs that change while the verifier runs: `CRLReloader` offers each CRL it fetches, and
/// every verifier given this store (`VerifierConfiguration.crlStore`) reads the current ones
/// at each verification, besides the fixed `VerifierConfiguration.crls`.
///
/// A CRL is kept only after it is checked: its signature verifies with a configured CA of
/// its issuer's name that may sign CRLs (`cRLSign`), it is current (`thisUpdate <= now <=
/// nextUpdate`), and it is newer (`thisUpdate`, then `cRLNumber`) than the one held for the
/// same issuer and scope. So a forged, stale or older CRL, or a failed fetch, never replaces
/// the CRL in use.
public final class CRLStore: Sendable {
    /// A CRL held and the CA keys its signature verified with.
    struct Entry: Sendable {
        var crl: CertificateRevocationList
        var verifiedKeys: [Certificate.PublicKey]
    }

    struct Key: Hashable {
        var issuer: DistinguishedName
        var scope: CRLScope
    }

    /// What `offer` did with a CRL.
    public enum Outcome: Sendable, Hashable {
        /// Now the one held for its issuer (and scope).
        case installed
        /// Valid, but not newer than the one held: the held one stays.
        case older
        /// Refused; the CRL held stays. The value says why.
        case rejected(String)
    }

    private let authorities: [Certificate]
    private let entries = Mutex<[Key: Entry]>([:])

    /// - Parameters:
    ///   - authorities: the CAs whose CRLs may be held (the verifier's anchors and
    ///     intermediates): the only keys a CRL may be signed with.
    ///   - crls: first CRLs, offered in turn at `now`.
    public init(authorities: [Certificate], crls: [CertificateRevocationList] = [], now: Date = Date()) {
        self.authorities = authorities
        for crl in crls { offer(crl, now: now) }
    }

    /// Checks `crl`, then holds it if it is the newest valid one of its issuer and scope.
    @discardableResult
    public func offer(_ crl: CertificateRevocationList, now: Date = Date()) -> Outcome {
        guard crl.signatureAlgorithm != nil else { return .rejected("unsupported signature algorithm \(crl.signatureAlgorithmOID)") }
        let candidates = authorities.filter { $0.subject == crl.issuer }
        guard !candidates.isEmpty else { return .rejected("no configured CA is named \(crl.issuer)") }
        let keys = candidates.filter { ca in
            let mayCRLSign = (try? ca.extensions.keyUsage)?.cRLSign ?? true
            return mayCRLSign && crl.isSignatureValid(issuer: ca)
        }.map(\.publicKey)
        guard !keys.isEmpty else { return .rejected("its signature does not verify with a CA of \(crl.issuer) allowed to sign CRLs") }
        guard let nextUpdate = crl.nextUpdate else { return .rejected("it has no nextUpdate") }
        guard crl.thisUpdate <= now else { return .rejected("its thisUpdate is in the future") }
        guard now <= nextUpdate else { return .rejected("stale since its nextUpdate \(RevocationIndex.iso(nextUpdate))") }
        let key = Key(issuer: crl.issuer, scope: crl.scope)
        return entries.withLock { entries in
            if let held = entries[key]?.crl, !RevocationIndex.isNewer(crl, than: held) { return .older }
            entries[key] = Entry(crl: crl, verifiedKeys: keys)
            return .installed
        }
    }

    /// The CRL held for `issuer` (of `scope`), if any.
    public func current(for issuer: DistinguishedName, scope: CRLScope = .all) -> CertificateRevocationList? {
        entries.withLock { $0[Key(issuer: issuer, scope: scope)]?.crl }
    }

    /// Every CRL held for `issuer`, whatever its scope.
    func entries(for issuer: DistinguishedName) -> [Entry] {
        entries.withLock { entries in entries.filter { $0.key.issuer == issuer }.map(\.value) }
    }
}
