/// Whose card it is, in words a page can show: read from the authentication certificate's
/// subject by the card layer (`CPSIdentity`), sent beside the token, never inside it.
///
/// It is a convenience for the page, not a proof: a federator takes the holder from the
/// certificate it has verified. Every key is always present; an absent value is `null`.
public struct HolderSummary: Codable, Hashable, Sendable {
    /// The national identifier (`idNat_PS`) as the certificate writes it, e.g. `810002813839`.
    public var nationalId: String
    /// Its type: `rpps`, `adeli`, `finess`, `siren`, `siret`, `rppsStructure` or `unknown`
    /// (an open set: new types may appear).
    public var nationalIdType: String
    /// The 11-digit RPPS number for an RPPS-based identifier.
    public var rpps: String?
    public var familyName: String?
    public var givenName: String?
    /// The profession label, e.g. `Médecin`.
    public var profession: String?
    /// The organisation, on staff cards (CPE, CPA) that name one.
    public var organization: String?

    public init(nationalId: String, nationalIdType: String, rpps: String? = nil, familyName: String?,
                givenName: String?, profession: String?, organization: String? = nil) {
        self.nationalId = nationalId
        self.nationalIdType = nationalIdType
        self.rpps = rpps
        self.familyName = familyName
        self.givenName = givenName
        self.profession = profession
        self.organization = organization
    }

    enum CodingKeys: String, CodingKey {
        case nationalId, nationalIdType, rpps, familyName, givenName, profession, organization
    }

    /// Writes absent values as `null`, never leaving a key out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nationalId, forKey: .nationalId)
        try c.encode(nationalIdType, forKey: .nationalIdType)
        try c.encode(rpps, forKey: .rpps)
        try c.encode(familyName, forKey: .familyName)
        try c.encode(givenName, forKey: .givenName)
        try c.encode(profession, forKey: .profession)
        try c.encode(organization, forKey: .organization)
    }
}
