import Foundation

/// Where issued nonces live until they are presented once: in memory for one federator
/// process (`InMemoryNonceStore`), or a shared store (Redis, a database...) for a cluster,
/// so that a nonce issued by one node can be verified by another.
///
/// Contract, which a shared store must keep atomically:
/// - `insert` records a nonce that is unused until `expiresAt`;
/// - `consume` marks a nonce used and says what it was *before* this call; two concurrent
///   `consume` calls on one nonce must not both get `.fresh` (e.g. Redis `GETSET`/`GETDEL`,
///   SQL `UPDATE ... WHERE used = false`);
/// - a used nonce should be remembered until its expiry, so that a replay is reported as
///   `.used` rather than `.unknown` (both refuse the login).
public protocol NonceStore: Sendable {
    /// Records a freshly issued nonce.
    /// - Parameters:
    ///   - nonce: the base64 text, exactly as issued.
    ///   - expiresAt: the end of its lifetime.
    ///   - now: the issuing time (a store may drop what expired before it).
    /// - Throws: when the store cannot record it (the nonce must then not be handed out).
    func insert(_ nonce: String, expiresAt: Date, now: Date) async throws

    /// Spends `nonce`: after this call it is used, whatever it was.
    /// - Parameter now: the verification time, compared with the nonce's expiry.
    /// - Returns: the nonce's state before the call.
    /// - Throws: when the store cannot be reached (the login is then refused).
    func consume(_ nonce: String, now: Date) async throws -> NonceState
}

/// A nonce's state when it is presented.
public enum NonceState: String, Sendable, Hashable {
    /// Issued, not yet used, within its lifetime: the only state that lets a login through.
    case fresh
    /// Issued and already presented once.
    case used
    /// Issued, never used, but past its lifetime.
    case expired
    /// Never issued here, or forgotten since.
    case unknown
}
