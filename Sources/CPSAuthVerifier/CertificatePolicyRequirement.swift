import CPSIdentity
import SwiftASN1
import X509

/// Which certificate policies a holder certificate must carry (RFC 5280 4.2.1.4).
public enum CertificatePolicyRequirement: Sendable, Hashable {
    /// One of these policy OIDs must be in the certificate's `certificatePolicies`, else
    /// `policyNotAllowed`. An empty set accepts nothing (the default, until the federator
    /// configures the IGC-Santé OIDs it accepts).
    case anyOf(Set<ASN1ObjectIdentifier>)
    /// Policies are not checked: an explicit opt-out, for a test PKI without policies (the
    /// demo's simulated card). Any certificate from a configured CA with `digitalSignature`
    /// is then accepted, whatever it was issued for.
    case notChecked

    /// The `certificatePolicies` extension's OID.
    static let extensionOID: ASN1ObjectIdentifier = [2, 5, 29, 32]

    /// The policy of `leaf` that satisfies the requirement (`nil` when not checked).
    func check(_ leaf: Certificate) throws(TokenVerificationError) -> ASN1ObjectIdentifier? {
        guard case .anyOf(let accepted) = self else { return nil }
        let carried: [ASN1ObjectIdentifier]
        do {
            carried = try Self.policies(of: leaf)
        } catch {
            throw .certificateUnparsable("its certificatePolicies cannot be decoded: \(error)")
        }
        if let match = carried.first(where: accepted.contains) { return match }
        throw .policyNotAllowed(carried.isEmpty ? "no certificatePolicies extension"
                                                : "policies " + carried.map(\.description).joined(separator: ", "))
    }

    /// The policy identifiers of `certificate`, in order: `SEQUENCE OF PolicyInformation`,
    /// each `SEQUENCE { policyIdentifier OID, policyQualifiers SEQUENCE OPTIONAL }`.
    public static func policies(of certificate: Certificate) throws -> [ASN1ObjectIdentifier] {
        guard let ext = certificate.extensions[oid: extensionOID] else { return [] }
        let root = try DER.parse(ext.value)
        return try DER.sequence(of: PolicyInformation.self, identifier: .sequence, rootNode: root).map(\.identifier)
    }

    struct PolicyInformation: DERParseable {
        var identifier: ASN1ObjectIdentifier
        init(derEncoded node: ASN1Node) throws {
            identifier = try DER.sequence(node, identifier: .sequence) { nodes in
                let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
                _ = nodes.next()   // qualifiers: not used
                return oid
            }
        }
    }
}

extension NationalIdentifier.Kind {
    /// The identifier types that designate a person: health professionals (RPPS, ADELI) and
    /// the staff of a structure (FINESS, SIREN, SIRET, RPPS structure, each with the
    /// person's local number). `unknown` is not among them.
    public static let personal: Set<Self> = [.rpps, .adeli, .finess, .siren, .siret, .rppsStructure]
}
