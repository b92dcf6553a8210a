import Foundation
import X509

/// One entry of a CRL: a serial number, when it was revoked and, if the CA said, why.
public struct RevokedCertificate: Sendable, Hashable {
    public let serialNumber: Certificate.SerialNumber
    public let revocationDate: Date
    public let reason: Reason?

    public init(serialNumber: Certificate.SerialNumber, revocationDate: Date, reason: Reason? = nil) {
        self.serialNumber = serialNumber
        self.revocationDate = revocationDate
        self.reason = reason
    }

    /// `CRLReason` (RFC 5280 5.3.1).
    public enum Reason: Int, Sendable, Hashable {
        case unspecified = 0, keyCompromise = 1, caCompromise = 2, affiliationChanged = 3, superseded = 4
        case cessationOfOperation = 5, certificateHold = 6, removeFromCRL = 8, privilegeWithdrawn = 9
        case aaCompromise = 10
    }
}
