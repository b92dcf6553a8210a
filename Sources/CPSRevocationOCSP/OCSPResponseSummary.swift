import Foundation
import SwiftASN1
import X509

/// The fields of an OCSP response (RFC 6960 4.2.1) `OCSPClient` checks itself, read only
/// after swift-certificates' `OCSPVerifierPolicy` has verified the response's signature,
/// responder and `CertID`: the single response for our serial number (its status,
/// `thisUpdate`, `nextUpdate`, `revocationTime`) and whether a nonce was echoed.
/// ```
/// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
///     SEQUENCE { responseType OID, response OCTET STRING (BasicOCSPResponse) } OPTIONAL }
/// BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm, signature, certs [0] OPTIONAL }
/// ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt,
///     responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }
/// SingleResponse ::= SEQUENCE { certID SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash,
///     serialNumber }, certStatus CHOICE { good [0], revoked [1] { revocationTime, ... }, unknown [2] },
///     thisUpdate GeneralizedTime, nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, ... }
/// ```
struct OCSPResponseSummary: Sendable, Hashable {
    enum Status: Sendable, Hashable { case good, revoked, unknown }

    var status: Status
    var thisUpdate: Date
    var nextUpdate: Date?
    var revocationTime: Date?
    /// Whether `responseExtensions` carries a nonce (its value was compared with ours by the policy).
    var nonceEchoed: Bool

    static let nonceOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]

    init(derEncoded bytes: [UInt8], serial: Certificate.SerialNumber) throws {
        var basic: ArraySlice<UInt8> = []
        try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
            _ = nodes.next()                                    // responseStatus
            guard let tagged = nodes.next() else { throw Malformed("no responseBytes") }
            try DER.explicitlyTagged(tagged, tagNumber: 0, tagClass: .contextSpecific) { inner in
                try DER.sequence(inner, identifier: .sequence) { fields in
                    _ = fields.next()                           // responseType
                    basic = try ASN1OctetString(derEncoded: &fields).bytes
                }
            }
        }
        guard let data = Self.children(try DER.parse(basic)).first else { throw Malformed("no tbsResponseData") }
        var fields = Self.children(data)[...]
        if fields.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) { fields = fields.dropFirst() }
        fields = fields.dropFirst(2)                            // responderID, producedAt
        guard let responses = fields.popFirst(), responses.identifier == .sequence else { throw Malformed("no responses") }
        var nonce = false
        if let extensionsNode = fields.popFirst() {
            let extensions = try DER.explicitlyTagged(extensionsNode, tagNumber: 1, tagClass: .contextSpecific) { node in
                try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
            }
            nonce = extensions.contains { $0.oid == Self.nonceOID }
        }
        nonceEchoed = nonce
        for single in Self.children(responses) {
            let parts = Self.children(single)
            guard parts.count >= 3, let certSerial = Self.children(parts[0]).last,
                  Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: certSerial)) == serial else { continue }
            switch parts[1].identifier.tagNumber {
            case 0: status = .good
            case 1: status = .revoked
            default: status = .unknown
            }
            revocationTime = status == .revoked ? try Self.children(parts[1]).first.map(Self.date) : nil
            thisUpdate = try Self.date(parts[2])
            nextUpdate = nil
            for field in parts.dropFirst(3)
            where field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                nextUpdate = try Self.children(field).first.map(Self.date)
            }
            return
        }
        throw Malformed("no single response for serial \(serial)")
    }

    /// Why this verified response cannot be used at `now`, or `nil`: `thisUpdate` at most
    /// `maxClockSkew` ahead, a `nextUpdate` not past, the nonce echoed when required.
    func problem(now: Date, maxClockSkew: Duration, requireNonce: Bool) -> String? {
        let skew = Double(maxClockSkew.components.seconds)
        guard thisUpdate <= now.addingTimeInterval(skew) else { return "its thisUpdate \(thisUpdate) is in the future" }
        guard let nextUpdate else { return "no nextUpdate" }
        guard now <= nextUpdate else { return "stale since its nextUpdate \(nextUpdate)" }
        guard nonceEchoed || !requireNonce else { return "the responder did not echo the nonce (required)" }
        return nil
    }

    static func children(_ node: ASN1Node) -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else { return [] }
        return Array(nodes)
    }

    static func date(_ node: ASN1Node) throws -> Date {
        let t = try GeneralizedTime(derEncoded: node)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: t.year, month: t.month, day: t.day,
                                                            hour: t.hours, minute: t.minutes, second: t.seconds)) else {
            throw Malformed("an impossible date")
        }
        return date
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
