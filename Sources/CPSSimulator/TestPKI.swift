import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The simulator's test PKI: a clearly named TEST root, an intermediate that mimics
/// IGC-Santé's "FORT PERSONNES" CA (TEST names only, never a real ANS name), and holder
/// certificates with the IGC-Santé subject layout.
public enum TestPKI {
    /// `CN=CPS-BRIDGE TEST ROOT CA - NOT FOR PRODUCTION, O=CPS-BRIDGE TEST, C=FR`
    public static func rootName() throws -> DistinguishedName {
        DistinguishedName([
            try rdn(.RDNAttributeType.countryName, printable: "FR"),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "CPS-BRIDGE TEST")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "CPS-BRIDGE TEST ROOT CA - NOT FOR PRODUCTION")),
        ])
    }

    /// `CN=TEST AC IGC-SANTE FORT PERSONNES, OU=TEST IGC-SANTE, O=CPS-BRIDGE TEST, C=FR`
    public static func issuingName() throws -> DistinguishedName {
        DistinguishedName([
            try rdn(.RDNAttributeType.countryName, printable: "FR"),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "CPS-BRIDGE TEST")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: "TEST IGC-SANTE")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "TEST AC IGC-SANTE FORT PERSONNES")),
        ])
    }

    /// `CN=<national ID>+SN=<surname>+GN=<given name>, title=<profession>, C=FR` (printed
    /// most specific first; in DER order C comes first and the multi-valued RDN last).
    public static func holderName(_ holder: HolderIdentity) throws -> DistinguishedName {
        DistinguishedName([
            try rdn(.RDNAttributeType.countryName, printable: "FR"),
            RelativeDistinguishedName(.init(type: AttributeType.title, utf8String: holder.profession)),
            RelativeDistinguishedName([
                .init(type: .RDNAttributeType.commonName, utf8String: holder.nationalID),
                .init(type: AttributeType.surname, utf8String: holder.surname),
                .init(type: AttributeType.givenName, utf8String: holder.givenName),
            ]),
        ])
    }

    /// Attribute types swift-certificates does not name.
    public enum AttributeType {
        public static let surname: ASN1ObjectIdentifier = [2, 5, 4, 4]
        public static let givenName: ASN1ObjectIdentifier = [2, 5, 4, 42]
        public static let title: ASN1ObjectIdentifier = [2, 5, 4, 12]
    }

    /// A self-signed root CA certificate (20 years).
    public static func makeRoot(key: _RSA.Signing.PrivateKey, now: Date = Date()) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try rootName()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(20 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    /// The intermediate ("TEST AC IGC-SANTE FORT PERSONNES", 10 years) issued by `root`.
    public static func makeIssuing(key: _RSA.Signing.PrivateKey, root: Certificate, rootKey: _RSA.Signing.PrivateKey,
                                   now: Date = Date()) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: root.subject, subject: try issuingName(), signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try keyIdentifier(of: root))
            },
            issuerPrivateKey: Certificate.PrivateKey(rootKey))
    }

    /// The holder's authentication certificate (3 years): digitalSignature (critical),
    /// clientAuth, SKI/AKI, not a CA.
    public static func makeHolder(_ holder: HolderIdentity, publicKey key: _RSA.Signing.PublicKey, issuing: Certificate,
                                  issuingKey: _RSA.Signing.PrivateKey, now: Date = Date()) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(3 * 365 * 86_400),
            issuer: issuing.subject, subject: try holderName(holder), signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try keyIdentifier(of: issuing))
            },
            issuerPrivateKey: Certificate.PrivateKey(issuingKey))
    }

    /// The subject key identifier of `certificate`.
    static func keyIdentifier(of certificate: Certificate) throws -> ArraySlice<UInt8> {
        guard let ski = try certificate.extensions.subjectKeyIdentifier else {
            return SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        }
        return ski.keyIdentifier
    }

    private static func rdn(_ type: ASN1ObjectIdentifier, printable: String) throws -> RelativeDistinguishedName {
        RelativeDistinguishedName(try .init(type: type, printableString: printable))
    }
}
