import Foundation

/// Where issued nonces live until they are presented once: in memory for one federator
/// process (`InMemoryNonceStore`), or a shared store (PostgreSQL, Redis...) for a cluster,
/// so that a nonce issued by one node can be verified by another.
///
/// Contract (docs/VERIFIER.md, "A shared nonce store for a cluster"):
/// - `insert` (issue) records a nonce with its expiry. A nonce the store already holds is
///   left as it is: a second `insert` must never make a spent nonce usable again.
/// - `consume` is ONE atomic operation: it returns `.fresh` if and only if this very call
///   found the nonce issued, unexpired and unused, and spent it. Two concurrent calls on one
///   nonce never both get `.fresh` (in SQL: `DELETE FROM nonces WHERE nonce = $1 AND
///   expires_at > now() RETURNING 1`; no read-then-write).
/// - Any other answer refuses the login. `.used`, `.expired` and `.unknown` only make the
///   refusal more precise in the logs: a store that cannot tell them apart (the SQL
///   statement above deletes the row) answers `.unknown`.
/// - A store that cannot be reached throws: the verifier then refuses with
///   `nonceStoreUnavailable` and accepts nothing; `issueNonce` throws too.
public protocol NonceStore: Sendable {
    /// Issues a nonce: records it as unused until `expiresAt`.
    /// - Parameters:
    ///   - nonce: the base64 text, exactly as issued.
    ///   - expiresAt: the end of its lifetime.
    ///   - now: the issuing time (a store may drop what expired before it).
    /// - Throws: when the store cannot record it (the nonce must then not be handed out).
    func insert(_ nonce: String, expiresAt: Date, now: Date) async throws

    /// Spends `nonce` in one atomic step.
    /// - Parameter now: the verification time, compared with the nonce's expiry.
    /// - Returns: `.fresh` only when this call consumed an issued, unexpired, unused nonce;
    ///   otherwise why not, as far as the store knows.
    /// - Throws: when the store cannot be reached (the login is then refused).
    func consume(_ nonce: String, now: Date) async throws -> NonceState
}

/// A nonce's state when it is presented.
public enum NonceState: String, Sendable, Hashable {
    /// Issued, not yet used, within its lifetime, and now spent by this call: the only state
    /// that lets a login through.
    case fresh
    /// Issued and already presented once.
    case used
    /// Issued, never used, but past its lifetime.
    case expired
    /// Never issued here, forgotten since, or (for a store that deletes on use) any of the
    /// above.
    case unknown
}
