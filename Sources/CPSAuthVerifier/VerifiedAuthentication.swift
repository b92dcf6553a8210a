import CPSIdentity
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
}
