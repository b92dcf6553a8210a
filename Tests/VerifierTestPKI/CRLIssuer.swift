import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// Issues RFC 5280 CRLs with swift-asn1, independently of the verifier's parser: the DER is
/// written field by field here and signed with the CA's key (RSASSA-PKCS1-v1_5, SHA-256).
public struct CRLIssuer {
    public var issuer: DistinguishedName
    public var key: _RSA.Signing.PrivateKey

    public init(issuer: DistinguishedName, key: _RSA.Signing.PrivateKey) {
        self.issuer = issuer
        self.key = key
    }

    /// The CA of a certificate file and its RSA key file (PEM, PKCS#1 or PKCS#8), such as
    /// the simulated card's `issuing-ca.pem` and `issuing-ca.key`.
    public init(certificatePEMFile: String, keyPEMFile: String) throws {
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: certificatePEMFile, encoding: .utf8))
        self.init(issuer: certificate.subject,
                  key: try _RSA.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: keyPEMFile, encoding: .utf8)))
    }

    /// A current CRL revoking nothing: thisUpdate an hour ago, nextUpdate in a week.
    public func current(now: Date = Date()) throws -> [UInt8] {
        try issue(entries: [], thisUpdate: now.addingTimeInterval(-3600), nextUpdate: now.addingTimeInterval(7 * 86_400))
    }

    public struct Entry {
        public var serial: ArraySlice<UInt8>
        public var date: Date
        /// `CRLReason`, written as a reasonCode entry extension when set.
        public var reason: Int?
        public init(serial: ArraySlice<UInt8>, date: Date, reason: Int? = nil) {
            self.serial = serial
            self.date = date
            self.reason = reason
        }
    }

    /// `sha256WithRSAEncryption` with NULL parameters.
    static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]

    /// A signed v2 CRL.
    /// - Parameters:
    ///   - nextUpdate: `nil` leaves the field out (which RFC 5280 forbids: for negative tests).
    ///   - tamper: flips a bit of the signature (for negative tests).
    ///   - extensions: more crlExtensions after the cRLNumber.
    public func issue(entries: [Entry], thisUpdate: Date, nextUpdate: Date?, crlNumber: Int = 1,
                      extensions: [Certificate.Extension] = [], tamper: Bool = false) throws -> [UInt8] {
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { s in
            try s.serialize(1)                                   // version v2
            try Self.algorithm(&s)
            try s.serialize(issuer)
            try s.serialize(try Self.utcTime(thisUpdate))
            if let nextUpdate { try s.serialize(try Self.utcTime(nextUpdate)) }
            if !entries.isEmpty {
                try s.appendConstructedNode(identifier: .sequence) { s in
                    for entry in entries {
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(entry.serial)       // INTEGER
                            try s.serialize(try Self.utcTime(entry.date))
                            if let reason = entry.reason {
                                try s.appendConstructedNode(identifier: .sequence) { s in
                                    try s.serialize(Certificate.Extension(oid: [2, 5, 29, 21], critical: false,
                                                                          value: [0x0A, 0x01, UInt8(reason)][...]))
                                }
                            }
                        }
                    }
                }
            }
            try s.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    var number = DER.Serializer()
                    try number.serialize(crlNumber)
                    try s.serialize(Certificate.Extension(oid: [2, 5, 29, 20], critical: false, value: number.serializedBytes[...]))
                    for ext in extensions { try s.serialize(ext) }
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        var signature = Array(try key.signature(for: SHA256.hash(data: tbsBytes), padding: .insecurePKCS1v1_5).rawRepresentation)
        if tamper { signature[signature.count / 2] ^= 0x01 }
        var crl = DER.Serializer()
        try crl.appendConstructedNode(identifier: .sequence) { s in
            s.serializeRawBytes(tbsBytes)
            try Self.algorithm(&s)
            try s.serialize(ASN1BitString(bytes: signature[...]))
        }
        return crl.serializedBytes
    }

    static func algorithm(_ s: inout DER.Serializer) throws {
        try s.appendConstructedNode(identifier: .sequence) { s in
            try s.serialize(sha256WithRSA)
            try s.serialize(ASN1Null())
        }
    }

    static func utcTime(_ date: Date) throws -> UTCTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try UTCTime(year: c.year!, month: c.month!, day: c.day!, hours: c.hour!, minutes: c.minute!, seconds: c.second!)
    }
}
