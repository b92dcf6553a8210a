import CPSIdentity
import Testing

@Suite struct NationalIdentifierTests {
    @Test(arguments: [
        ("810002813839", NationalIdentifier.Kind.rpps),
        ("899700012345", .rpps),
        ("0751234567", .adeli),
        ("3750012345/0001", .finess),
        ("32A0012345/CPE01", .finess),
        ("4123456789/42", .siren),
        ("512345678901234/7", .siret),
        ("612345678901/3", .rppsStructure),
        ("81000281383", .unknown),        // RPPS number one digit short
        ("8100028138390", .unknown),      // one digit long
        ("3750012345", .unknown),         // structure form without local number
        ("5123/7", .unknown),             // SIRET too short
        ("7123456", .unknown),            // unknown prefix: surfaced, not rejected
        ("", .unknown),
    ])
    func classifiesByFirstCharacter(value: String, kind: NationalIdentifier.Kind) {
        let id = NationalIdentifier(value)
        #expect(id.type == kind)
        #expect(id.value == value)
    }

    @Test func rppsNumberIsTheElevenDigits() {
        #expect(NationalIdentifier("810002813839").rpps == "10002813839")
        #expect(NationalIdentifier("0751234567").rpps == nil)
    }

    @Test func structureFormsSplitOnTheSlash() throws {
        let id = NationalIdentifier("3750012345/0001")
        let structure = try #require(id.structure)
        #expect(structure.number == "750012345")
        #expect(structure.localNumber == "0001")
        #expect(NationalIdentifier("810002813839").structure == nil)
    }
}
