import BridgeProtocol
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// A TEST PKI for the verifier's tests and benchmark: a root and an issuing CA shaped like
/// IGC-Santé's (TEST names only), a foreign CA nobody trusts, holder certificates and their
/// broken variants, CRLs, and tokens signed as the card signs them.
///
/// RSA-2048 keys are slow to make in a debug build, so there are four, made once per
/// process (`shared`); the holder variants share the holder's key.
public final class VerifierTestPKI: Sendable {
    public let rootKey: _RSA.Signing.PrivateKey
    public let root: Certificate
    public let issuingKey: _RSA.Signing.PrivateKey
    public let issuing: Certificate
    public let holderKey: _RSA.Signing.PrivateKey
    /// A good holder certificate: digitalSignature, clientAuth, valid from yesterday for 3 years.
    public let holder: Certificate
    /// A CA of the same shape that no test configuration trusts.
    public let foreignKey: _RSA.Signing.PrivateKey
    public let foreignRoot: Certificate
    /// The reference time certificates are made around (their notBefore is a day earlier).
    public let now: Date

    /// The test PKI's personal authentication policy, in the holder certificates by default
    /// (under 2.999, the arc ITU-T X.660 keeps for examples: never a real policy).
    public static let personalAuthenticationPolicy: ASN1ObjectIdentifier = [2, 999, 71, 1, 1]
    /// Another test policy (as an organisation certificate's), never accepted by the tests.
    public static let otherPolicy: ASN1ObjectIdentifier = [2, 999, 71, 9, 9]

    /// One PKI per process.
    public static let shared: VerifierTestPKI = {
        do { return try VerifierTestPKI() } catch { fatalError("cannot make the test PKI: \(error)") }
    }()

    /// - Parameter issuingOCSPURL: an OCSP responder URL (`authorityInformationAccess`) in the
    ///   issuing CA's certificate, as real intermediates name their root's responder.
    public init(now: Date = Date(), issuingOCSPURL: String? = nil) throws {
        self.now = now
        rootKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        issuingKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        holderKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        foreignKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        root = try Self.makeCA(name: Self.name(cn: "CPS-BRIDGE TEST ROOT CA - NOT FOR PRODUCTION"), key: rootKey,
                               issuer: nil, issuerKey: rootKey, now: now)
        issuing = try Self.makeCA(name: Self.name(cn: "TEST AC IGC-SANTE FORT PERSONNES", ou: "TEST IGC-SANTE"), key: issuingKey,
                                  issuer: root, issuerKey: rootKey, now: now, ocspURL: issuingOCSPURL)
        foreignRoot = try Self.makeCA(name: Self.name(cn: "SOMEONE ELSE'S TEST CA"), key: foreignKey,
                                      issuer: nil, issuerKey: foreignKey, now: now)
        holder = try Self.makeHolder(publicKey: Certificate.PublicKey(holderKey.publicKey), issuer: issuing,
                                     issuerKey: issuingKey, now: now)
    }

    /// A holder certificate for the holder's key, issued by the issuing CA unless told otherwise.
    public func holder(notBefore: Date? = nil, notAfter: Date? = nil, keyUsage: KeyUsage? = KeyUsage(digitalSignature: true),
                       extendedKeyUsage: [ExtendedKeyUsage.Usage]? = [.clientAuth], criticalEKU: Bool = false,
                       foreign: Bool = false, subject: DistinguishedName? = nil,
                       policies: [ASN1ObjectIdentifier] = [personalAuthenticationPolicy],
                       ocspURL: String? = nil) throws -> Certificate {
        try Self.makeHolder(publicKey: Certificate.PublicKey(holderKey.publicKey),
                            issuer: foreign ? foreignRoot : issuing, issuerKey: foreign ? foreignKey : issuingKey, now: now,
                            notBefore: notBefore, notAfter: notAfter, keyUsage: keyUsage, extendedKeyUsage: extendedKeyUsage,
                            criticalEKU: criticalEKU, subject: subject, policies: policies, ocspURL: ocspURL)
    }

    /// An OCSP responder certificate (`id-kp-OCSPSigning`) for `key`, issued by the issuing
    /// CA (a delegated responder), or by the foreign CA when `foreign` (a responder nobody
    /// delegated).
    public func ocspResponder(key: _RSA.Signing.PrivateKey, foreign: Bool = false) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: foreign ? foreignRoot.subject : issuing.subject, subject: try Self.name(cn: "TEST OCSP RESPONDER"),
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.ocspSigning])
            },
            issuerPrivateKey: Certificate.PrivateKey(foreign ? foreignKey : issuingKey))
    }

    /// Current CRLs (thisUpdate an hour before `now`, nextUpdate a week after) of the root
    /// and of the issuing CA, revoking nothing: what a verifier needs for the holder's
    /// status to be established.
    public func currentCRLs(revoking serials: [ArraySlice<UInt8>] = []) throws -> [[UInt8]] {
        let entries = serials.map { CRLIssuer.Entry(serial: $0, date: now.addingTimeInterval(-3600)) }
        return [
            try CRLIssuer(issuer: root.subject, key: rootKey)
                .issue(entries: [], thisUpdate: now.addingTimeInterval(-3600), nextUpdate: now.addingTimeInterval(7 * 86_400)),
            try CRLIssuer(issuer: issuing.subject, key: issuingKey)
                .issue(entries: entries, thisUpdate: now.addingTimeInterval(-3600), nextUpdate: now.addingTimeInterval(7 * 86_400)),
        ]
    }

    /// An organisation's certificate as IGC-Santé shapes them: no surname or given name, a
    /// structure's identifier and name.
    public static func organizationName() throws -> DistinguishedName {
        DistinguishedName([
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "FR")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "CH TEST")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: "310000000")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "310000000/SERVEUR-TEST")),
        ])
    }

    /// `CN=899700012345+SN=TEST-CPS+GN=CAMILLE, title=Médecin, C=FR` (DER order reversed).
    public static func holderName(nationalID: String = "899700012345", surname: String = "TEST-CPS",
                                  givenName: String = "CAMILLE", profession: String = "Médecin") throws -> DistinguishedName {
        DistinguishedName([
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "FR")),
            RelativeDistinguishedName(.init(type: [2, 5, 4, 12], utf8String: profession)),
            RelativeDistinguishedName([
                .init(type: .RDNAttributeType.commonName, utf8String: nationalID),
                .init(type: [2, 5, 4, 4], utf8String: surname),
                .init(type: [2, 5, 4, 42], utf8String: givenName),
            ]),
        ])
    }

    static func name(cn: String, ou: String? = nil) throws -> DistinguishedName {
        var rdns = [
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "FR")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "CPS-BRIDGE TEST")),
        ]
        if let ou { rdns.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: ou))) }
        rdns.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: cn)))
        return DistinguishedName(rdns)
    }

    static func makeCA(name: DistinguishedName, key: _RSA.Signing.PrivateKey, issuer: Certificate?,
                       issuerKey: _RSA.Signing.PrivateKey, now: Date, ocspURL: String? = nil) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: issuer?.subject ?? name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: issuer == nil ? nil : 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
                if let ocspURL { AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier(ocspURL))]) }
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }

    public static func makeHolder(publicKey: Certificate.PublicKey, issuer: Certificate, issuerKey: _RSA.Signing.PrivateKey,
                                  now: Date, notBefore: Date? = nil, notAfter: Date? = nil,
                                  keyUsage: KeyUsage? = KeyUsage(digitalSignature: true),
                                  extendedKeyUsage: [ExtendedKeyUsage.Usage]? = [.clientAuth], criticalEKU: Bool = false,
                                  subject: DistinguishedName? = nil,
                                  policies: [ASN1ObjectIdentifier] = [personalAuthenticationPolicy],
                                  ocspURL: String? = nil) throws -> Certificate {
        var extensions = Certificate.Extensions()
        try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        if let keyUsage { try extensions.append(Certificate.Extension(keyUsage, critical: true)) }
        if let extendedKeyUsage { try extensions.append(Certificate.Extension(ExtendedKeyUsage(extendedKeyUsage), critical: criticalEKU)) }
        if !policies.isEmpty { try extensions.append(try certificatePolicies(policies)) }
        if let ocspURL {
            try extensions.append(Certificate.Extension(
                AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier(ocspURL))]), critical: false))
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notBefore ?? now.addingTimeInterval(-86_400),
            notValidAfter: notAfter ?? now.addingTimeInterval(3 * 365 * 86_400),
            issuer: issuer.subject, subject: try subject ?? holderName(), signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }

    /// `certificatePolicies` (2.5.29.32, not critical): `SEQUENCE OF SEQUENCE { OID }`.
    public static func certificatePolicies(_ policies: [ASN1ObjectIdentifier]) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { s in
            for policy in policies {
                try s.appendConstructedNode(identifier: .sequence) { s in try s.serialize(policy) }
            }
        }
        return Certificate.Extension(oid: [2, 5, 29, 32], critical: false, value: serializer.serializedBytes[...])
    }

    /// A token as the card makes it: RS256 over `SHA-256(origin) || SHA-256(nonce)`.
    public func token(origin: String, nonce: String, certificate: Certificate? = nil,
                      key: _RSA.Signing.PrivateKey? = nil) throws -> AuthenticationToken {
        try Self.token(origin: origin, nonce: nonce, certificate: certificate ?? holder, key: key ?? holderKey)
    }

    public static func token(origin: String, nonce: String, certificate: Certificate,
                             key: _RSA.Signing.PrivateKey) throws -> AuthenticationToken {
        let data = AuthenticationToken.signedData(origin: try Origin(origin), nonce: try Nonce(nonce)) { Array(SHA256.hash(data: $0)) }
        let signature = try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return AuthenticationToken(certificateDER: serializer.serializedBytes, signature: Array(signature.rawRepresentation),
                                   appVersion: "0.1.0")
    }

    /// The DER of a certificate.
    public static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
