#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
import X509
import SmartCard

/// Who a CPx authentication certificate names: the holder's national identifier, names and
/// profession, read from the IGC-Santé subject layout.
///
/// A professional's subject has a multi-valued first RDN (`CN=<national ID>+SN=<surname>+
/// GN=<given name>`, in any order), then `title=<profession>` and `C=FR`. Staff cards (CPE,
/// CPA) may carry organisation attributes and no personal names: the names are then `nil`.
public struct HolderIdentity: Hashable, Sendable {
    public let nationalId: NationalIdentifier
    public let familyName: String?
    public let givenName: String?
    /// The profession label from the `title` attribute (e.g. `Médecin`), when present.
    public let profession: String?
    /// The organisation (`O`) for staff cards, when present.
    public let organization: String?
    public let subject: String
    public let issuer: String
    public let notBefore: Date
    public let notAfter: Date

    /// Reads the holder from `certificate`.
    /// - Throws: `IdentityError.noNationalIdentifier` when the subject has no common name.
    public init(certificate: Certificate) throws(IdentityError) {
        var attributes: [ASN1ObjectIdentifier: String] = [:]
        // The first occurrence of each attribute wins, wherever it sits in the subject.
        for rdn in certificate.subject {
            for attribute in rdn where attributes[attribute.type] == nil {
                attributes[attribute.type] = attribute.value.text
            }
        }
        guard let cn = attributes[.RDNAttributeType.commonName]?.trimmingWhitespace, !cn.isEmpty else {
            throw .noNationalIdentifier
        }
        nationalId = NationalIdentifier(cn)
        familyName = attributes[.RDNAttributeType.surname].flatMap(Self.nonEmpty)
        givenName = attributes[.RDNAttributeType.givenName].flatMap(Self.nonEmpty)
        profession = attributes[.RDNAttributeType.title].flatMap(Self.nonEmpty)
        organization = attributes[.RDNAttributeType.organizationName].flatMap(Self.nonEmpty)
        subject = certificate.subject.readable
        issuer = certificate.issuer.readable
        notBefore = certificate.notValidBefore
        notAfter = certificate.notValidAfter
    }

    /// Reads the holder from a PEM or DER certificate.
    public init(certificateBytes bytes: [UInt8]) throws(IdentityError) {
        let certificate: Certificate
        do {
            if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") {
                certificate = try Certificate(pemEncoded: text)
            } else {
                certificate = try Certificate(derEncoded: bytes)
            }
        } catch {
            throw .notACertificate(String(describing: error))
        }
        try self.init(certificate: certificate)
    }

    private static func nonEmpty(_ s: String) -> String? {
        let t = s.trimmingWhitespace
        return t.isEmpty ? nil : t
    }
}

/// Why a certificate gives no holder identity.
public enum IdentityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are neither a PEM nor a DER X.509 certificate.
    case notACertificate(String)
    /// The subject has no common name, so no national identifier.
    case noNationalIdentifier

    public var description: String {
        switch self {
        case .notACertificate(let why): "not an X.509 certificate (PEM or DER): \(why)"
        case .noNationalIdentifier: "the certificate's subject has no common name (CN), so no national identifier"
        }
    }
}

extension ASN1ObjectIdentifier.RDNAttributeType {
    /// `surname` (SN), 2.5.4.4
    static let surname: ASN1ObjectIdentifier = [2, 5, 4, 4]
    /// `givenName` (GN), 2.5.4.42
    static let givenName: ASN1ObjectIdentifier = [2, 5, 4, 42]
    /// `title`, 2.5.4.12
    static let title: ASN1ObjectIdentifier = [2, 5, 4, 12]
}
