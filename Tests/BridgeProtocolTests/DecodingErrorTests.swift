import BridgeProtocol
import Foundation
import Testing

/// Malformed messages: each is a `badRequest` with the precise reason, and the request's `id`
/// when it could be read.
@Suite("Decoding errors")
struct DecodingErrorTests {
    static let nonce = "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg="

    struct Case: Sendable, CustomTestStringConvertible {
        let json: String
        let reason: ProtocolError.Reason
        let id: String?
        init(_ json: String, _ reason: ProtocolError.Reason, id: String? = nil) {
            self.json = json
            self.reason = reason
            self.id = id
        }
        var testDescription: String { json.count > 60 ? String(json.prefix(60)) + "..." : json }
    }

    static let cases: [Case] = [
        // Not a JSON object at all.
        Case("", .notJSON),
        Case("   ", .notJSON),
        Case("hello", .notJSON),
        Case(#"{"v":1,"type":"status","id":"9""#, .notJSON),
        Case(#"{"v":1,"type":"status","id":"9"} trailing"#, .notJSON),
        Case("[1,2]", .notAnObject),
        Case(#""status""#, .notAnObject),
        Case("42", .notAnObject),
        Case("null", .notAnObject),
        // The version.
        Case(#"{"type":"status","id":"9"}"#, .missingField("v"), id: "9"),
        Case(#"{"v":2,"type":"status","id":"9"}"#, .unsupportedVersion(2), id: "9"),
        Case(#"{"v":0,"type":"status","id":"9"}"#, .unsupportedVersion(0), id: "9"),
        Case(#"{"v":"1","type":"status","id":"9"}"#, .wrongType(field: "v", expected: "an integer"), id: "9"),
        Case(#"{"v":null,"type":"status","id":"9"}"#, .nullField("v"), id: "9"),
        Case(#"{"v":1.5,"type":"status","id":"9"}"#, .wrongType(field: "v", expected: "an integer"), id: "9"),
        // The type.
        Case(#"{"v":1,"id":"9"}"#, .missingField("type"), id: "9"),
        Case(#"{"v":1,"type":"sign","id":"9"}"#, .unknownType("sign"), id: "9"),
        Case(#"{"v":1,"type":"Status","id":"9"}"#, .unknownType("Status"), id: "9"),
        Case(#"{"v":1,"type":7,"id":"9"}"#, .wrongType(field: "type", expected: "a string"), id: "9"),
        // The id.
        Case(#"{"v":1,"type":"status"}"#, .missingField("id")),
        Case(#"{"v":1,"type":"cancel"}"#, .missingField("id")),
        Case(#"{"v":1,"type":"status","id":9}"#, .wrongType(field: "id", expected: "a string")),
        Case(#"{"v":1,"type":"status","id":""}"#, .invalidValue(field: "id", why: "must be 1 to 64 printable ASCII characters")),
        Case(#"{"v":1,"type":"status","id":"\#(String(repeating: "x", count: 65))"}"#,
             .invalidValue(field: "id", why: "must be 1 to 64 printable ASCII characters")),
        Case(#"{"v":1,"type":"status","id":"a\nb"}"#, .invalidValue(field: "id", why: "must be 1 to 64 printable ASCII characters")),
        // authenticate's fields.
        Case(#"{"v":1,"type":"authenticate","id":"7"}"#, .missingField("nonce"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":42}"#, .wrongType(field: "nonce", expected: "a string"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":null}"#, .nullField("nonce"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"short"}"#,
             .invalidValue(field: "nonce", why: "must be 44 to 128 base64 characters long"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","reader":1}"#,
             .wrongType(field: "reader", expected: "a string"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","reader":""}"#,
             .invalidValue(field: "reader", why: "must be a PC/SC reader name: 1 to 256 bytes, no control characters"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","reader":"\#(String(repeating: "r", count: 257))"}"#,
             .invalidValue(field: "reader", why: "must be a PC/SC reader name: 1 to 256 bytes, no control characters"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","pin":1234}"#,
             .wrongType(field: "pin", expected: "a string"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","pin":"12a4"}"#,
             .invalidValue(field: "pin", why: "must be 4 to 12 digits"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","pin":"123"}"#,
             .invalidValue(field: "pin", why: "must be 4 to 12 digits"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","pin":"1234567890123"}"#,
             .invalidValue(field: "pin", why: "must be 4 to 12 digits"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","confirmFinalTry":"yes"}"#,
             .wrongType(field: "confirmFinalTry", expected: "a boolean (true or false)"), id: "7"),
        Case(#"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","confirmFinalTry":1}"#,
             .wrongType(field: "confirmFinalTry", expected: "a boolean (true or false)"), id: "7"),
        // getCertificate.
        Case(#"{"v":1,"type":"getCertificate","id":"8","reader":["a"]}"#, .wrongType(field: "reader", expected: "a string"), id: "8"),
    ]

    @Test("malformed WebSocket messages", arguments: cases)
    func malformed(_ c: Case) {
        do {
            let message = try ClientMessage.decode(from: c.json)
            Issue.record("decoded \(message)")
        } catch {
            #expect(error.code == .badRequest)
            #expect(error.reason == c.reason)
            #expect(error.id == c.id)
        }
    }

    @Test("a message over the size limit is refused before parsing")
    func oversize() {
        let padding = String(repeating: " ", count: ProtocolLimits.maxMessageBytes)
        #expect(throws: ProtocolError(.messageTooLarge(limit: 16384))) {
            try ClientMessage.decode(from: #"{"v":1,"type":"status","id":"9"}"# + padding)
        }
        #expect(throws: ProtocolError(.messageTooLarge(limit: 16384))) {
            try AuthenticateBody.decode(from: Data((#"{"nonce":"\#(Self.nonce)"}"# + padding).utf8))
        }
    }

    static let httpCases: [Case] = [
        Case("nonce=abc", .notJSON),
        Case("[]", .notAnObject),
        Case("{}", .missingField("nonce")),
        Case(#"{"v":2,"nonce":"\#(nonce)"}"#, .unsupportedVersion(2)),
        Case(#"{"v":"1","nonce":"\#(nonce)"}"#, .wrongType(field: "v", expected: "an integer")),
        Case(#"{"nonce":"\#(nonce)","confirmFinalTry":"false"}"#, .wrongType(field: "confirmFinalTry", expected: "a boolean (true or false)")),
    ]

    @Test("malformed POST /v1/authenticate bodies", arguments: httpCases)
    func malformedHTTP(_ c: Case) {
        #expect(throws: ProtocolError(c.reason)) { try AuthenticateBody.decode(from: Data(c.json.utf8)) }
    }

    @Test("reasons read as sentences for the page's developer")
    func reasonText() {
        #expect(ProtocolError.Reason.missingField("nonce").description == #"missing field "nonce""#)
        #expect(ProtocolError.Reason.unsupportedVersion(2).description == "unsupported version 2: this daemon speaks version 1")
        #expect(ProtocolError.Reason.unknownType("sign").description == #"unknown message type "sign""#)
        #expect(ProtocolError.Reason.unknownType(String(repeating: "x", count: 40)).description == "unknown message type (not shown)")
        #expect(ProtocolError.Reason.wrongType(field: "v", expected: "an integer").description == #"field "v" must be an integer"#)
        #expect(ProtocolError(.notJSON).description == "badRequest: the message is not valid JSON")
    }
}
