import Foundation
import X509

/// Where the verifier asks a certificate's revocation status online (OCSP). This module does
/// no networking: `CPSRevocationOCSP.OCSPClient` implements it over HTTP.
public protocol OCSPStatusSource: Sendable {
    /// The status of `certificate`, issued by `issuer`, at `now`. Never throws: every failure
    /// (no responder, timeout, bad signature, stale or `unknown` answer) is `.unknown(why)`.
    func status(of certificate: Certificate, issuer: Certificate, now: Date) async -> OCSPStatus
}

/// An OCSP answer as the verifier uses it.
public enum OCSPStatus: Sendable, Hashable {
    /// Verified `good`, current at `now`.
    case good
    /// Verified `revoked`, at the date the response gives.
    case revoked(at: Date?)
    /// No usable answer; the value says why (for `revocationUnknown`'s description).
    case unknown(String)
}
