import Foundation

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
        let iso = ISO8601DateFormatter()
        try c.encode(iso.string(from: notBefore), forKey: .notBefore)
        try c.encode(iso.string(from: notAfter), forKey: .notAfter)
    }
}
