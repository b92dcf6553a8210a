import CPSSimulator
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import Testing
import X509

/// The test PKI: chain, IGC-Santé subject layout, key usages, and the state directory.
@Suite struct PKITests {
    let credentials = Fixture.credentials

    @Test func chainValidatesToTheTestRoot() async throws {
        var verifier = Verifier(rootCertificates: CertificateStore([credentials.root])) {
            RFC5280Policy(validationTime: Date())
        }
        let result = await verifier.validate(leafCertificate: credentials.holderCertificate,
                                             intermediates: CertificateStore([credentials.issuing]))
        guard case .validCertificate(let chain) = result else {
            Issue.record("chain did not validate: \(result)")
            return
        }
        #expect(chain.count == 3)
        #expect(credentials.holderCertificate.issuer == credentials.issuing.subject)
        #expect(credentials.issuing.issuer == credentials.root.subject)
        #expect(credentials.root.publicKey.isValidSignature(credentials.issuing.signature, for: credentials.issuing))
        #expect(credentials.issuing.publicKey.isValidSignature(credentials.holderCertificate.signature,
                                                                for: credentials.holderCertificate))
    }

    @Test func namesAreClearlyTest() {
        #expect("\(credentials.root.subject)".contains("CPS-BRIDGE TEST ROOT CA - NOT FOR PRODUCTION"))
        #expect("\(credentials.issuing.subject)".contains("CN=TEST AC IGC-SANTE FORT PERSONNES"))
        #expect("\(credentials.issuing.subject)".contains("OU=TEST IGC-SANTE"))
        #expect(!"\(credentials.issuing.subject)".contains("ASIP-SANTE"))
    }

    @Test func holderSubjectHasTheIGCSanteLayout() throws {
        let rdns = Array(credentials.holderCertificate.subject)
        #expect(rdns.count == 3)
        // DER order: C, title, then the multi-valued CN+SN+GN.
        #expect(rdns[0].first?.type == .RDNAttributeType.countryName)
        #expect(rdns[1].first?.type == TestPKI.AttributeType.title)
        #expect("\(rdns[1].first!.value)" == "Médecin")
        let first = Dictionary(uniqueKeysWithValues: rdns[2].map { ($0.type, "\($0.value)") })
        #expect(first[.RDNAttributeType.commonName] == "899700012345")
        #expect(first[TestPKI.AttributeType.surname] == Fixture.holder.surname)
        #expect(first[TestPKI.AttributeType.givenName] == Fixture.holder.givenName)
        #expect(!rdns.contains { $0.contains { $0.type == .RDNAttributeType.organizationName } })
    }

    @Test func keyUsages() throws {
        let holder = credentials.holderCertificate.extensions
        let keyUsage = try #require(try holder.keyUsage)
        #expect(keyUsage.digitalSignature && !keyUsage.keyCertSign)
        #expect(holder[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try holder.extendedKeyUsage?.contains(.clientAuth) == true)
        #expect(try holder.basicConstraints == .notCertificateAuthority)
        let ski = try #require(try credentials.issuing.extensions.subjectKeyIdentifier)
        #expect(try holder.authorityKeyIdentifier?.keyIdentifier == ski.keyIdentifier)
        #expect(try holder.subjectKeyIdentifier != nil)
        #expect(try credentials.issuing.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try credentials.root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(try credentials.root.extensions.keyUsage?.keyCertSign == true)
    }

    @Test func holderKeyMatchesTheCertificate() throws {
        let key = try _RSA.Signing.PrivateKey(derRepresentation: credentials.holderKeyDER)
        #expect(Certificate.PublicKey(key.publicKey) == credentials.holderCertificate.publicKey)
        #expect(key.keySizeInBits == 2048)
    }

    @Test func stateDirectoryPersistsAndReissuesOnlyTheHolder() throws {
        let again = try CardCredentials.loadOrCreate(in: Fixture.directory, holder: Fixture.holder)
        #expect(again.changes.isEmpty)
        #expect(again.root == credentials.root)
        #expect(again.issuing == credentials.issuing)
        #expect(again.holderCertificate == credentials.holderCertificate)
        #expect(again.holderKeyDER == credentials.holderKeyDER)
        for name in ["root-ca.key", "issuing-ca.key", "holder-auth.key"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: Fixture.directory + "/" + name)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }

        // Another holder in a copy of the directory: new holder certificate, same keys and CAs.
        let copy = Fixture.directory + "-copy"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: Fixture.directory, toPath: copy)
        let other = HolderIdentity(nationalID: "899900054321", surname: "DUPONT", givenName: "ANNE", profession: "Pharmacien")
        let reissued = try CardCredentials.loadOrCreate(in: copy, holder: other)
        #expect(reissued.changes == ["issued holder certificate"])
        #expect(reissued.holderKeyDER == credentials.holderKeyDER)
        #expect(reissued.root == credentials.root)
        #expect(reissued.holderCertificate.publicKey == credentials.holderCertificate.publicKey)
        #expect("\(reissued.holderCertificate.subject)".contains("899900054321"))
        #expect(try CardCredentials.loadOrCreate(in: copy, holder: other).changes.isEmpty)
        try? FileManager.default.removeItem(atPath: copy)
    }
}
