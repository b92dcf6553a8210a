import Foundation
import SwiftASN1
import X509

/// An X.509 certificate revocation list (RFC 5280 section 5), parsed from DER or PEM.
///
/// swift-certificates has no CRL type, so this one reads the ASN.1 itself:
/// ```
/// CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier,
///                                signatureValue BIT STRING }
/// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL (v2 = 1), signature AlgorithmIdentifier,
///     issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
///     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
///                                                crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
///     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
/// Parsing checks the structure only; whether the CRL is signed by the certificate's issuer
/// and is current is checked at verification time (`isSignatureValid(issuer:)`, dates).
///
/// An `issuingDistributionPoint` limiting the CRL to end-entity or to CA certificates is
/// understood (`scope`). Not supported, refused when parsing: delta CRLs, indirect CRLs
/// (entries naming another issuer, or the IDP's `indirectCRL`), partitioned CRLs (an IDP
/// naming a distribution point or `onlySomeReasons`), and any other critical extension this
/// type does not know.
public struct CertificateRevocationList: Sendable, Hashable {
    /// Who issued the CRL; it covers the certificates this CA issued.
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    /// When the next CRL is due; after it this one is stale. `nil` only in CRLs that break
    /// RFC 5280 (which requires it): the verifier sets those aside (no status from them: `revocationUnknown`).
    public let nextUpdate: Date?
    /// The `cRLNumber` extension, big-endian bytes, when present.
    public let crlNumber: ArraySlice<UInt8>?
    /// Which of its issuer's certificates it covers (`issuingDistributionPoint`).
    public let scope: CRLScope
    /// The signature algorithm, when it is one swift-certificates can verify.
    public let signatureAlgorithm: Certificate.SignatureAlgorithm?
    /// The signature algorithm's OID as written.
    public let signatureAlgorithmOID: ASN1ObjectIdentifier
    /// The DER of `tbsCertList`: what the signature covers.
    public let tbsBytes: ArraySlice<UInt8>
    /// The signature value's bytes.
    public let signatureBytes: ArraySlice<UInt8>
    /// The DER of the whole CRL.
    public let derBytes: [UInt8]
    private let revoked: [Certificate.SerialNumber: RevokedCertificate]

    /// The revoked certificates, in no particular order.
    public var revokedCertificates: Dictionary<Certificate.SerialNumber, RevokedCertificate>.Values { revoked.values }

    /// The entry for `serialNumber`, if this CRL revokes it.
    public func entry(for serialNumber: Certificate.SerialNumber) -> RevokedCertificate? {
        revoked[serialNumber]
    }

    /// Parses a DER-encoded CRL.
    /// - Throws: `CRLParsingError` when the bytes are not an RFC 5280 CRL this type supports.
    public init(derEncoded bytes: [UInt8]) throws(CRLParsingError) {
        do {
            derBytes = bytes
            let root = try DER.parse(bytes)
            var fields: TBSFields!
            var outerAlgorithm: ArraySlice<UInt8> = []
            var signature: ArraySlice<UInt8> = []
            try DER.sequence(root, identifier: .sequence) { nodes in
                guard let tbs = nodes.next(), let algorithm = nodes.next() else {
                    throw CRLParsingError("a CertificateList needs tbsCertList, signatureAlgorithm and signatureValue")
                }
                fields = try Self.parseTBS(tbs)
                outerAlgorithm = algorithm.encodedBytes
                let bits = try ASN1BitString(derEncoded: &nodes)
                guard bits.paddingBits == 0 else { throw CRLParsingError("the signature is not a whole number of bytes") }
                signature = bits.bytes
            }
            guard fields.algorithm.encoded == outerAlgorithm else {
                throw CRLParsingError("signatureAlgorithm differs from the signature field of tbsCertList")
            }
            tbsBytes = fields.tbsBytes
            issuer = fields.issuer
            thisUpdate = fields.thisUpdate
            nextUpdate = fields.nextUpdate
            crlNumber = fields.crlNumber
            scope = fields.scope
            signatureAlgorithmOID = fields.algorithm.oid
            signatureAlgorithm = Self.signatureAlgorithm(fields.algorithm.oid)
            signatureBytes = signature
            revoked = fields.revoked
        } catch let error as CRLParsingError {
            throw error
        } catch {
            throw CRLParsingError("not DER of a CertificateList: \(error)")
        }
    }

    /// Parses a PEM (`-----BEGIN X509 CRL-----`) or DER CRL.
    public init(bytes: [UInt8]) throws(CRLParsingError) {
        if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
            let document: PEMDocument
            do { document = try PEMDocument(pemString: text) } catch { throw CRLParsingError("not a PEM document: \(error)") }
            guard document.discriminator == "X509 CRL" else {
                throw CRLParsingError("the PEM document is a \(document.discriminator), not an X509 CRL")
            }
            try self.init(derEncoded: document.derBytes)
        } else {
            try self.init(derEncoded: bytes)
        }
    }

    /// Reads a CRL file (PEM or DER).
    public init(contentsOfFile path: String) throws(CRLParsingError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CRLParsingError("cannot read \(path)")
        }
        try self.init(bytes: Array(data))
    }

    /// Whether the CRL's signature verifies with `issuer`'s public key.
    public func isSignatureValid(issuer: Certificate) -> Bool {
        guard let signatureAlgorithm else { return false }
        return issuer.publicKey.isValidSignature(signatureBytes, for: tbsBytes, signatureAlgorithm: signatureAlgorithm)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.derBytes == rhs.derBytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(derBytes) }
}

/// Why bytes are not a CRL this library can use.
public struct CRLParsingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { "invalid CRL: \(reason)" }
}
