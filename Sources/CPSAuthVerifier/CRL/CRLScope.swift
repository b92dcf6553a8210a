import SwiftASN1
import X509

/// Which certificates of its issuer a CRL covers, from its `issuingDistributionPoint`
/// extension (RFC 5280 5.2.5). A CRL without the extension covers them all.
///
/// Supported: `onlyContainsUserCerts` and `onlyContainsCACerts` (a CRL for end-entity
/// certificates only, or for CA certificates only). Refused when parsing, as unsupported:
/// a `distributionPoint` name (a CRL partitioned by distribution point), `onlySomeReasons`
/// (partitioned by reason), `indirectCRL`, `onlyContainsAttributeCerts`.
public enum CRLScope: String, Sendable, Hashable {
    /// Every certificate of the issuer (no `issuingDistributionPoint`, or one that restricts nothing).
    case all
    /// End-entity certificates only (`onlyContainsUserCerts`): never used for a CA.
    case endEntities
    /// CA certificates only (`onlyContainsCACerts`): never used for an end entity.
    case certificateAuthorities

    /// Whether a CRL of this scope may give `certificate`'s status.
    public func covers(_ certificate: Certificate) -> Bool {
        switch self {
        case .all: true
        case .endEntities: !Self.isCA(certificate)
        case .certificateAuthorities: Self.isCA(certificate)
        }
    }

    static func isCA(_ certificate: Certificate) -> Bool {
        if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { return true }
        return false
    }

    /// `IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0] OPTIONAL,
    /// onlyContainsUserCerts [1] BOOLEAN DEFAULT FALSE, onlyContainsCACerts [2] BOOLEAN DEFAULT
    /// FALSE, onlySomeReasons [3] OPTIONAL, indirectCRL [4] BOOLEAN DEFAULT FALSE,
    /// onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }` (booleans IMPLICIT).
    static func parse(issuingDistributionPoint value: ArraySlice<UInt8>) throws -> CRLScope {
        var users = false, authorities = false
        try DER.sequence(try DER.parse(value), identifier: .sequence) { nodes in
            while let node = nodes.next() {
                guard node.identifier.tagClass == .contextSpecific else {
                    throw CRLParsingError("issuingDistributionPoint: unexpected field \(node.identifier)")
                }
                func flag() throws -> Bool {
                    try Bool(derEncoded: node, withIdentifier: ASN1Identifier(tagWithNumber: node.identifier.tagNumber,
                                                                            tagClass: .contextSpecific))
                }
                switch node.identifier.tagNumber {
                case 0: throw CRLParsingError("partitioned CRLs (issuingDistributionPoint naming a distribution point) are not supported")
                case 1: users = try flag()
                case 2: authorities = try flag()
                case 3: throw CRLParsingError("CRLs partitioned by reason (issuingDistributionPoint onlySomeReasons) are not supported")
                case 4: if try flag() { throw CRLParsingError("indirect CRLs (issuingDistributionPoint indirectCRL) are not supported") }
                case 5: if try flag() { throw CRLParsingError("attribute certificate CRLs are not supported") }
                default: throw CRLParsingError("issuingDistributionPoint: unknown field [\(node.identifier.tagNumber)]")
                }
            }
        }
        switch (users, authorities) {
        case (true, true): throw CRLParsingError("issuingDistributionPoint: onlyContainsUserCerts and onlyContainsCACerts both set")
        case (true, false): return .endEntities
        case (false, true): return .certificateAuthorities
        case (false, false): return .all
        }
    }
}
