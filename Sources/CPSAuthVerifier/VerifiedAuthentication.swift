import CPSIdentity
import SwiftASN1
import X509

/// A token that passed every check: who logged in, and the evidence.
public struct VerifiedAuthentication: Sendable {
    /// The holder's authentication certificate, from the token, now verified.
    public let certificate: Certificate
    /// The validated chain, leaf first, ending with the trust anchor.
    public let chain: [Certificate]
    /// The holder as `CPSIdentity` reads the certificate's subject.
    public let identity: HolderIdentity
    /// The same holder as federation claims.
    public let claims: IdentityClaims
    /// The token's JWA algorithm (`RS256` for CPS cards).
    public let algorithm: String
    /// The token's `appVersion` (informative: the client says so, nothing proves it).
    public let appVersion: String
    /// The accepted certificate policy the certificate carries; `nil` when policies are not
    /// checked (`CertificatePolicyRequirement.notChecked`).
    public let policy: ASN1ObjectIdentifier?
    /// Whether `policy` is one of the configuration's `smartCardPolicies`.
    public let smartCardPolicy: Bool
    /// The issuers in the chain whose certificates were not checked for revocation (opted
    /// out); empty when every certificate's status was established by a CRL.
    public let revocationNotCheckedFor: [DistinguishedName]

    /// The OpenID Connect `amr` values (RFC 8176) this verification proves: `pop` (the
    /// holder proved possession of the certified key) always; with a smart-card policy also
    /// `hwk` (a hardware-protected key), `sc` (a smart card), `pin` (the card's key is
    /// activated by its PIN under that policy) and `mfa` (card and PIN: two factors). Sorted.
    public var authenticationMethods: [String] {
        smartCardPolicy ? ["hwk", "mfa", "pin", "pop", "sc"] : ["pop"]
    }
}
