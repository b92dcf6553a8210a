import CPSIdentity
import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@Suite struct HolderIdentityTests {
    static let key = P256.Signing.PrivateKey()

    /// A certificate with `subject`, self-signed with a P-256 key (the layout is what matters).
    static func certificate(_ subject: DistinguishedName) throws -> Certificate {
        let issuer = try DistinguishedName { CommonName("TEST AC IGC-SANTE FORT PERSONNES"); CountryName("FR") }
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_700_000_000), notValidAfter: Date(timeIntervalSince1970: 1_900_000_000),
            issuer: issuer, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions(), issuerPrivateKey: .init(key)
        )
    }

    static let cn: ASN1ObjectIdentifier = [2, 5, 4, 3]
    static let sn: ASN1ObjectIdentifier = [2, 5, 4, 4]
    static let gn: ASN1ObjectIdentifier = [2, 5, 4, 42]
    static let title: ASN1ObjectIdentifier = [2, 5, 4, 12]
    static let c: ASN1ObjectIdentifier = [2, 5, 4, 6]
    static let o: ASN1ObjectIdentifier = [2, 5, 4, 10]

    static func attr(_ type: ASN1ObjectIdentifier, _ value: String) -> RelativeDistinguishedName.Attribute {
        .init(type: type, utf8String: value)
    }

    @Test(arguments: [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]])
    func readsTheMultiValuedRDNInAnyOrder(order: [Int]) throws {
        let parts = [Self.attr(Self.cn, "810002813839"), Self.attr(Self.sn, "DUPONT"), Self.attr(Self.gn, "JEAN-CLAUDE")]
        let subject = DistinguishedName([
            RelativeDistinguishedName(order.map { parts[$0] }),
            RelativeDistinguishedName(Self.attr(Self.title, "Médecin")),
            RelativeDistinguishedName(try .init(type: Self.c, printableString: "FR")),
        ])
        let holder = try HolderIdentity(certificate: Self.certificate(subject))
        #expect(holder.nationalId == NationalIdentifier("810002813839"))
        #expect(holder.nationalId.rpps == "10002813839")
        #expect(holder.familyName == "DUPONT")
        #expect(holder.givenName == "JEAN-CLAUDE")
        #expect(holder.profession == "Médecin")
    }

    @Test func findsTheProfessionWhereverItSits() throws {
        let subject = DistinguishedName([
            RelativeDistinguishedName(try .init(type: Self.c, printableString: "FR")),
            RelativeDistinguishedName(Self.attr(Self.title, "Masseur-Kinésithérapeute")),
            RelativeDistinguishedName([Self.attr(Self.gn, "ÉLODIE"), Self.attr(Self.cn, "899700012345"), Self.attr(Self.sn, "LEFÈVRE")]),
        ])
        let holder = try HolderIdentity(certificate: Self.certificate(subject))
        #expect(holder.profession == "Masseur-Kinésithérapeute")
        #expect(holder.familyName == "LEFÈVRE")
        #expect(holder.givenName == "ÉLODIE")
    }

    @Test func staffCardsHaveNoPersonalNames() throws {
        let subject = DistinguishedName([
            RelativeDistinguishedName(Self.attr(Self.cn, "3750012345/CPE01")),
            RelativeDistinguishedName(Self.attr(Self.o, "CENTRE HOSPITALIER TEST")),
            RelativeDistinguishedName(try .init(type: Self.c, printableString: "FR")),
        ])
        let holder = try HolderIdentity(certificate: Self.certificate(subject))
        #expect(holder.nationalId.type == .finess)
        #expect(holder.familyName == nil)
        #expect(holder.givenName == nil)
        #expect(holder.profession == nil)
        #expect(holder.organization == "CENTRE HOSPITALIER TEST")
    }

    @Test func decodesBMPStringNames() throws {
        // BMPString (tag 30), UTF-16BE "Séverine".
        let units = Array("Séverine".utf16)
        let bytes = units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let der: [UInt8] = [0x1E, UInt8(bytes.count)] + bytes
        let any = try ASN1Any(derEncoded: der)
        let subject = DistinguishedName([
            RelativeDistinguishedName([Self.attr(Self.cn, "810002813839"), .init(type: Self.gn, value: any)]),
        ])
        let holder = try HolderIdentity(certificate: Self.certificate(subject))
        #expect(holder.givenName == "Séverine")
    }

    @Test func aSubjectWithoutCommonNameIsAClearError() throws {
        let subject = DistinguishedName([RelativeDistinguishedName(Self.attr(Self.o, "NO CN"))])
        #expect(throws: IdentityError.noNationalIdentifier) { try HolderIdentity(certificate: Self.certificate(subject)) }
    }

    @Test func readsPEMAndDERAndRejectsOtherBytes() throws {
        let subject = DistinguishedName([RelativeDistinguishedName([Self.attr(Self.cn, "810002813839"), Self.attr(Self.sn, "X")])])
        let cert = try Self.certificate(subject)
        var serializer = DER.Serializer()
        try serializer.serialize(cert)
        let der = serializer.serializedBytes
        let pem = try cert.serializeAsPEM().pemString
        #expect(try HolderIdentity(certificateBytes: der).familyName == "X")
        #expect(try HolderIdentity(certificateBytes: Array(pem.utf8)).familyName == "X")
        #expect { try HolderIdentity(certificateBytes: Array("hello".utf8)) } throws: { error in
            if case .notACertificate = error as? IdentityError { return true }
            return false
        }
    }
}

@Suite struct ReadableNameTests {
    @Test func subjectsUseShortNamesAndEscapes() throws {
        let subject = DistinguishedName([
            RelativeDistinguishedName([HolderIdentityTests.attr(HolderIdentityTests.cn, "810002813839"),
                                       HolderIdentityTests.attr(HolderIdentityTests.sn, "DE LA TOUR, DIT \"X\""),
                                       HolderIdentityTests.attr(HolderIdentityTests.gn, "ANNE")]),
            RelativeDistinguishedName(HolderIdentityTests.attr(HolderIdentityTests.title, "Médecin")),
            RelativeDistinguishedName(try .init(type: HolderIdentityTests.c, printableString: "FR")),
        ])
        let holder = try HolderIdentity(certificate: HolderIdentityTests.certificate(subject))
        #expect(holder.subject.hasPrefix("C=FR,title=Médecin,"))
        #expect(holder.subject.contains("SN=DE LA TOUR\\, DIT \\\"X\\\""))
        #expect(holder.subject.contains("GN=ANNE"))
        #expect(holder.subject.contains("CN=810002813839"))
        #expect(!holder.subject.contains("2.5.4."))
    }
}
