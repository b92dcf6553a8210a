import Foundation
import X509

/// A CA named in the configuration, by its subject name or by its subject key identifier
/// (the SKI survives a re-issued CA certificate with the same key; the name survives a new
/// key). Used by `VerifierConfiguration.revocationNotCheckedFor`.
public enum IssuerReference: Sendable, Hashable, CustomStringConvertible {
    /// The CA certificate's subject, e.g. `CN=AC IGC-SANTE FORT PERSONNES,...`.
    case subject(DistinguishedName)
    /// The CA certificate's `subjectKeyIdentifier` bytes.
    case subjectKeyIdentifier([UInt8])

    /// The reference of `certificate`, by subject.
    public static func of(_ certificate: Certificate) -> Self { .subject(certificate.subject) }

    /// Whether `certificate` (a CA of a validated chain) is the one referred to.
    public func matches(_ certificate: Certificate) -> Bool {
        switch self {
        case .subject(let name):
            return certificate.subject == name
        case .subjectKeyIdentifier(let bytes):
            guard let ski = try? certificate.extensions.subjectKeyIdentifier else { return false }
            return Array(ski.keyIdentifier) == bytes
        }
    }

    public var description: String {
        switch self {
        case .subject(let name): "subject \(name)"
        case .subjectKeyIdentifier(let bytes): "SKI \(bytes.map { String(format: "%02X", $0) }.joined())"
        }
    }
}
