#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HolderIdentity: Encodable {
    enum CodingKeys: String, CodingKey {
        case nationalId, nationalIdType, rpps, familyName, givenName, profession, organization, subject, issuer, notBefore, notAfter
    }

    /// The holder as `cps-bridge inspect` and the API show it: names and profession are
    /// `null` when the certificate has none; `rpps` appears only for RPPS-based identifiers;
    /// dates are ISO 8601.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nationalId.value, forKey: .nationalId)
        try c.encode(nationalId.type.rawValue, forKey: .nationalIdType)
        try c.encodeIfPresent(nationalId.rpps, forKey: .rpps)
        try c.encode(familyName, forKey: .familyName)
        try c.encode(givenName, forKey: .givenName)
        try c.encode(profession, forKey: .profession)
        try c.encodeIfPresent(organization, forKey: .organization)
        try c.encode(subject, forKey: .subject)
        try c.encode(issuer, forKey: .issuer)
        try c.encode(notBefore.formatted(.iso8601), forKey: .notBefore)
        try c.encode(notAfter.formatted(.iso8601), forKey: .notAfter)
    }
}
