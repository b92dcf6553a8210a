import Foundation
import SwiftASN1
import X509

extension CertificateRevocationList {
    struct AlgorithmField {
        var oid: ASN1ObjectIdentifier
        var encoded: ArraySlice<UInt8>
    }

    struct TBSFields {
        var tbsBytes: ArraySlice<UInt8>
        var algorithm: AlgorithmField
        var issuer: DistinguishedName
        var thisUpdate: Date
        var nextUpdate: Date?
        var crlNumber: ArraySlice<UInt8>?
        var scope: CRLScope
        var revoked: [Certificate.SerialNumber: RevokedCertificate]
    }

    /// CRL extensions this type understands (RFC 5280 5.2).
    enum ExtensionID {
        static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
        static let issuerAlternativeName: ASN1ObjectIdentifier = [2, 5, 29, 18]
        static let crlNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
        static let deltaCRLIndicator: ASN1ObjectIdentifier = [2, 5, 29, 27]
        static let issuingDistributionPoint: ASN1ObjectIdentifier = [2, 5, 29, 28]
        static let freshestCRL: ASN1ObjectIdentifier = [2, 5, 29, 46]
        static let authorityInformationAccess: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 1]
        // Entry extensions (RFC 5280 5.3).
        static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
        static let invalidityDate: ASN1ObjectIdentifier = [2, 5, 29, 24]
        static let certificateIssuer: ASN1ObjectIdentifier = [2, 5, 29, 29]
    }

    static func parseTBS(_ node: ASN1Node) throws -> TBSFields {
        try DER.sequence(node, identifier: .sequence) { nodes in
            var peek = nodes
            var version = 0
            if let first = peek.next(), first.identifier == .integer {
                version = try Int(derEncoded: &nodes)
                guard version == 1 else { throw CRLParsingError("version \(version + 1) (only v1 and v2 exist)") }
            }
            guard let algorithmNode = nodes.next() else { throw CRLParsingError("no signature field") }
            let algorithm = try parseAlgorithm(algorithmNode)
            guard let issuerNode = nodes.next() else { throw CRLParsingError("no issuer") }
            let issuer = try DistinguishedName(derEncoded: issuerNode)
            guard let thisUpdateNode = nodes.next() else { throw CRLParsingError("no thisUpdate") }
            let thisUpdate = try parseTime(thisUpdateNode)
            var nextUpdate: Date?
            peek = nodes
            if let next = peek.next(), next.identifier == .utcTime || next.identifier == .generalizedTime {
                nextUpdate = try parseTime(nodes.next()!)
            }
            var revoked: [Certificate.SerialNumber: RevokedCertificate] = [:]
            peek = nodes
            if let next = peek.next(), next.identifier == .sequence {
                _ = nodes.next()
                try DER.sequence(next, identifier: .sequence) { entries in
                    while let entry = entries.next() {
                        let parsed = try parseEntry(entry, version: version)
                        revoked[parsed.serialNumber] = parsed
                    }
                }
            }
            var crlNumber: ArraySlice<UInt8>?
            var scope = CRLScope.all
            if let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific, { node in
                try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
            }) {
                guard version == 1 else { throw CRLParsingError("crlExtensions in a v1 CRL") }
                for ext in extensions {
                    switch ext.oid {
                    case ExtensionID.crlNumber:
                        crlNumber = try ArraySlice<UInt8>(derEncoded: try DER.parse(ext.value))
                    case ExtensionID.deltaCRLIndicator:
                        throw CRLParsingError("delta CRLs are not supported: configure the full CRL")
                    case ExtensionID.issuingDistributionPoint:
                        scope = try CRLScope.parse(issuingDistributionPoint: ext.value)
                    case ExtensionID.authorityKeyIdentifier, ExtensionID.issuerAlternativeName,
                         ExtensionID.freshestCRL, ExtensionID.authorityInformationAccess:
                        break
                    default:
                        if ext.critical { throw CRLParsingError("unknown critical CRL extension \(ext.oid)") }
                    }
                }
            }
            return TBSFields(tbsBytes: node.encodedBytes, algorithm: algorithm, issuer: issuer, thisUpdate: thisUpdate,
                             nextUpdate: nextUpdate, crlNumber: crlNumber, scope: scope, revoked: revoked)
        }
    }

    static func parseEntry(_ node: ASN1Node, version: Int) throws -> RevokedCertificate {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let serial = Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: &nodes))
            guard let dateNode = nodes.next() else { throw CRLParsingError("a revoked entry has no revocationDate") }
            let date = try parseTime(dateNode)
            var reason: RevokedCertificate.Reason?
            if let extensionsNode = nodes.next() {
                guard version == 1 else { throw CRLParsingError("crlEntryExtensions in a v1 CRL") }
                let extensions = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: extensionsNode)
                for ext in extensions {
                    switch ext.oid {
                    case ExtensionID.reasonCode:
                        let value = try DER.parse(ext.value)
                        guard value.identifier == .enumerated, case .primitive(let content) = value.content,
                              content.count == 1 else { throw CRLParsingError("reasonCode is not a small ENUMERATED") }
                        reason = RevokedCertificate.Reason(rawValue: Int(content.first!))
                    case ExtensionID.certificateIssuer:
                        throw CRLParsingError("indirect CRLs (certificateIssuer entries) are not supported")
                    case ExtensionID.invalidityDate:
                        break
                    default:
                        if ext.critical { throw CRLParsingError("unknown critical CRL entry extension \(ext.oid)") }
                    }
                }
            }
            return RevokedCertificate(serialNumber: serial, revocationDate: date, reason: reason)
        }
    }

    static func parseAlgorithm(_ node: ASN1Node) throws -> AlgorithmField {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            _ = nodes.next()   // parameters: NULL or absent for the algorithms supported here
            return AlgorithmField(oid: oid, encoded: node.encodedBytes)
        }
    }

    /// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`, as a `Date`.
    static func parseTime(_ node: ASN1Node) throws -> Date {
        var components = DateComponents()
        switch node.identifier {
        case .utcTime:
            let t = try UTCTime(derEncoded: node)
            (components.year, components.month, components.day) = (t.year, t.month, t.day)
            (components.hour, components.minute, components.second) = (t.hours, t.minutes, t.seconds)
        case .generalizedTime:
            let t = try GeneralizedTime(derEncoded: node)
            (components.year, components.month, components.day) = (t.year, t.month, t.day)
            (components.hour, components.minute, components.second) = (t.hours, t.minutes, t.seconds)
        default:
            throw CRLParsingError("a time is neither UTCTime nor GeneralizedTime")
        }
        guard let date = utcCalendar.date(from: components) else { throw CRLParsingError("an impossible date") }
        return date
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The signature algorithms swift-certificates verifies, by OID. SHA-1 is left out on
    /// purpose: a CRL signed with it is refused.
    static func signatureAlgorithm(_ oid: ASN1ObjectIdentifier) -> Certificate.SignatureAlgorithm? {
        switch oid {
        case [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption
        case [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption
        case [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption
        case [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256
        case [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384
        case [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512
        default: nil
        }
    }
}
