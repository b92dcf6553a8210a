import CPSIdentity
import Foundation

/// The verified holder as claims a federator can put in its ID token or UserInfo, named like
/// Pro Santé Connect's UserInfo where PSC has the same datum, and prefixed `cps_` where it
/// does not (docs/VERIFIER.md has the mapping).
///
/// Everything here comes from the verified certificate's subject; nothing from the page's
/// holder summary. Absent values are left out of the JSON (JWT style), not written as null.
public struct IdentityClaims: Codable, Sendable, Hashable {
    /// `SubjectNameID`: the national identifier (`idNat_PS`) as the certificate's CN writes
    /// it, e.g. `810002813839` (`8` + RPPS number).
    public var subjectNameID: String
    /// `preferred_username`: PSC sets it to the national identifier too.
    public var preferredUsername: String
    /// `given_name` (OpenID Connect): the GN attribute; absent on staff cards without one.
    public var givenName: String?
    /// `family_name` (OpenID Connect): the SN attribute.
    public var familyName: String?
    /// `SubjectOrganization`: the O attribute, carried by some staff cards.
    public var subjectOrganization: String?
    /// `cps_national_id_type`: `rpps`, `adeli`, `finess`, `siren`, `siret`, `rppsStructure`,
    /// `unknown` (open set).
    public var nationalIDType: String
    /// `cps_rpps`: the 11-digit RPPS number, for an RPPS-based identifier.
    public var rpps: String?
    /// `cps_profession`: the certificate's `title` label, e.g. `Médecin`. PSC's
    /// `SubjectRefPro` carries a profession *code* from the RPPS directory, which the
    /// certificate does not; this is the label only.
    public var profession: String?

    enum CodingKeys: String, CodingKey {
        case subjectNameID = "SubjectNameID"
        case preferredUsername = "preferred_username"
        case givenName = "given_name"
        case familyName = "family_name"
        case subjectOrganization = "SubjectOrganization"
        case nationalIDType = "cps_national_id_type"
        case rpps = "cps_rpps"
        case profession = "cps_profession"
    }

    public init(subjectNameID: String, preferredUsername: String? = nil, givenName: String?, familyName: String?,
                subjectOrganization: String? = nil, nationalIDType: String, rpps: String?, profession: String?) {
        self.subjectNameID = subjectNameID
        self.preferredUsername = preferredUsername ?? subjectNameID
        self.givenName = givenName
        self.familyName = familyName
        self.subjectOrganization = subjectOrganization
        self.nationalIDType = nationalIDType
        self.rpps = rpps
        self.profession = profession
    }

    /// The claims of a holder read from a verified certificate.
    public init(_ holder: HolderIdentity) {
        self.init(subjectNameID: holder.nationalId.value, givenName: holder.givenName, familyName: holder.familyName,
                  subjectOrganization: holder.organization, nationalIDType: holder.nationalId.type.rawValue,
                  rpps: holder.nationalId.rpps, profession: holder.profession)
    }
}
