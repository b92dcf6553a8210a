/// How CRLs and OCSP combine to establish the status of each certificate of a chain below
/// the anchor (`VerifierConfiguration.revocationPolicy`). Whatever the policy, a status that
/// cannot be established is `revocationUnknown` (fail closed), and a certificate found
/// revoked by the source consulted is `certificateRevoked`.
public enum RevocationPolicy: String, Sendable, Hashable, CaseIterable {
    /// OCSP first; when OCSP gives no usable answer (no source configured, no responder,
    /// responder down, bad or stale response, status `unknown`), the issuer's newest valid
    /// CRL. The default: OCSP is the freshest, CRLs keep logins working while a responder is
    /// down.
    case ocspThenCRL
    /// The issuer's newest valid CRL first; OCSP only when there is none.
    case crlThenOCSP
    /// CRLs only: OCSP is never asked.
    case crlOnly
    /// OCSP only: CRLs are never consulted.
    case ocspOnly

    /// Whether OCSP is consulted at all.
    var usesOCSP: Bool { self != .crlOnly }
    /// Whether CRLs are consulted at all.
    var usesCRL: Bool { self != .ocspOnly }
}
