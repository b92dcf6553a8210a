import CPSAuthVerifier
import CPSIdentity
import Foundation
import Testing

/// The claims' JSON: PSC's names, absent values left out.
@Suite("Identity claims")
struct ClaimsTests {
    @Test("an RPPS professional's claims, as JSON")
    func json() throws {
        let claims = IdentityClaims(subjectNameID: "810002813839", givenName: "CAMILLE", familyName: "TEST-CPS",
                                    nationalIDType: "rpps", rpps: "10002813839", profession: "Médecin")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(claims), as: UTF8.self)
        #expect(text == #"{"SubjectNameID":"810002813839","cps_national_id_type":"rpps","cps_profession":"Médecin","cps_rpps":"10002813839","family_name":"TEST-CPS","given_name":"CAMILLE","preferred_username":"810002813839"}"#)
        #expect(try JSONDecoder().decode(IdentityClaims.self, from: Data(text.utf8)) == claims)
    }

    @Test("a staff card: no names, no RPPS, an organisation")
    func staff() throws {
        let claims = IdentityClaims(subjectNameID: "3123456789/1234", givenName: nil, familyName: nil, subjectOrganization: "CH TEST",
                                    nationalIDType: "finess", rpps: nil, profession: nil)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(claims)) as! [String: String]
        #expect(object == ["SubjectNameID": "3123456789/1234", "preferred_username": "3123456789/1234",
                           "SubjectOrganization": "CH TEST", "cps_national_id_type": "finess"])
    }
}

/// docs/VERIFIER.md stays in step with the code.
@Suite("VERIFIER.md")
struct DocumentationTests {
    static func document() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/VERIFIER.md"), encoding: .utf8)
    }

    @Test("the errors table has a row for every code")
    func everyCode() throws {
        let document = try Self.document()
        for code in TokenVerificationError.allCodes {
            #expect(document.contains("| `\(code)` |"), "no row for \(code)")
        }
    }

    @Test("the claims table names every claim the JSON has")
    func everyClaim() throws {
        let document = try Self.document()
        let claims = IdentityClaims(subjectNameID: "810002813839", givenName: "A", familyName: "B", subjectOrganization: "C",
                                    nationalIDType: "rpps", rpps: "10002813839", profession: "D")
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(claims)) as! [String: String]
        #expect(object.count == 8)
        for key in object.keys {
            #expect(document.contains("| `\(key)` |"), "no row for \(key)")
        }
    }
}
