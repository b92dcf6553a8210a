import BridgeProtocol
import Foundation
import Testing

/// Every message's exact JSON, both ways: what the daemon writes, and that it reads it back.
@Suite("Message shapes")
struct MessageShapeTests {
    static let nonce = try! Nonce("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=")
    static let holder = HolderSummary(nationalId: "899700012345", nationalIdType: "rpps", rpps: "99700012345",
                                      familyName: "TEST-CPS", givenName: "CAMILLE", profession: "Médecin")
    static let card = CardInfo(kind: .cps3, pin: .init(state: .ok, triesLeft: 3, maxTries: 3), holder: holder)
    static let holderJSON = """
        {"nationalId":"899700012345","nationalIdType":"rpps","rpps":"99700012345","familyName":"TEST-CPS",
         "givenName":"CAMILLE","profession":"Médecin","organization":null}
        """
    static let cardJSON = """
        {"kind":"cps3","pin":{"state":"ok","triesLeft":3,"maxTries":3},"holder":\(holderJSON)}
        """
    static let token = AuthenticationToken(unverifiedCertificate: "MIIB", signature: "c2ln",
                                           appVersion: "https://github.com/cps-bridge/cps-bridge/releases/tag/v0.1.0")
    static let tokenJSON = """
        {"format":"web-eid:1.0","unverifiedCertificate":"MIIB","algorithm":"RS256","signature":"c2ln",
         "appVersion":"https://github.com/cps-bridge/cps-bridge/releases/tag/v0.1.0"}
        """

    // MARK: Client messages

    static let clientMessages: [(ClientMessage, String)] = [
        (.authenticate(id: "7", AuthenticateBody(nonce: nonce)),
         #"{"v":1,"type":"authenticate","id":"7","nonce":"kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=","confirmFinalTry":false}"#),
        (.authenticate(id: "7", AuthenticateBody(nonce: nonce, reader: "Gemalto PC Twin Reader 00 00",
                                                 pin: try! PagePIN("1234"), confirmFinalTry: true)),
         #"{"v":1,"type":"authenticate","id":"7","nonce":"kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=","reader":"Gemalto PC Twin Reader 00 00","pin":"1234","confirmFinalTry":true}"#),
        (.getCertificate(id: "8", reader: "Gemalto PC Twin Reader 00 00"),
         #"{"v":1,"type":"getCertificate","id":"8","reader":"Gemalto PC Twin Reader 00 00"}"#),
        (.getCertificate(id: "8", reader: nil), #"{"v":1,"type":"getCertificate","id":"8"}"#),
        (.cancel(id: "7"), #"{"v":1,"type":"cancel","id":"7"}"#),
        (.status(id: "9"), #"{"v":1,"type":"status","id":"9"}"#),
    ]

    @Test("client messages encode exactly", arguments: clientMessages)
    func clientMessageEncodes(message: ClientMessage, json: String) throws {
        try expectJSON(message, equals: json)
    }

    @Test("client messages decode back", arguments: clientMessages)
    func clientMessageDecodes(message: ClientMessage, json: String) throws {
        #expect(try ClientMessage.decode(from: json) == message)
    }

    @Test("optional fields: absent, null and defaults mean the same")
    func optionalFields() throws {
        let plain = try ClientMessage.decode(from: #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(Self.nonce.text)"}"#)
        let nulls = try ClientMessage.decode(from: #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(Self.nonce.text)","reader":null,"pin":null,"confirmFinalTry":null}"#)
        #expect(plain == .authenticate(id: "7", AuthenticateBody(nonce: Self.nonce)))
        #expect(nulls == plain)
    }

    @Test("unknown fields are ignored (later versions may add some)")
    func unknownFieldsIgnored() throws {
        let message = try ClientMessage.decode(from: #"{"v":1,"type":"status","id":"9","future":{"x":[1,2]}}"#)
        #expect(message == .status(id: "9"))
    }

    // MARK: HTTP bodies

    @Test("POST /v1/authenticate: v defaults to 1, confirmFinalTry to false")
    func authenticateBody() throws {
        let minimal = try AuthenticateBody.decode(from: Data(#"{"nonce":"\#(Self.nonce.text)"}"#.utf8))
        #expect(minimal == AuthenticateBody(nonce: Self.nonce))
        let full = try AuthenticateBody.decode(from: Data(#"{"v":1,"nonce":"\#(Self.nonce.text)","reader":"R 00","pin":"123456","confirmFinalTry":true}"#.utf8))
        #expect(full == AuthenticateBody(nonce: Self.nonce, reader: "R 00", pin: try PagePIN("123456"), confirmFinalTry: true))
        #expect(throws: ProtocolError(.unsupportedVersion(2))) {
            try AuthenticateBody.decode(from: Data(#"{"v":2,"nonce":"\#(Self.nonce.text)"}"#.utf8))
        }
        try expectJSON(full, equals: #"{"nonce":"\#(Self.nonce.text)","reader":"R 00","pin":"123456","confirmFinalTry":true}"#)
    }

    @Test("GET /v1/status: empty readers write card null, every holder key present")
    func statusBody() throws {
        let body = StatusBody(readers: [
            ReaderInfo(name: "Reader A 00 00", card: Self.card),
            ReaderInfo(name: "Reader B 00 00", card: nil),
            ReaderInfo(name: "Reader C 00 00", card: CardInfo(kind: .cps2ter, pin: nil, holder: nil)),
            ReaderInfo(name: "Reader D 00 00", card: CardInfo(kind: .cps4, pin: .init(state: .unknown), holder: nil)),
        ])
        let json = """
            {"v":1,"readers":[
              {"name":"Reader A 00 00","card":\(Self.cardJSON)},
              {"name":"Reader B 00 00","card":null},
              {"name":"Reader C 00 00","card":{"kind":"cps2ter","pin":null,"holder":null}},
              {"name":"Reader D 00 00","card":{"kind":"cps4","pin":{"state":"unknown","triesLeft":null,"maxTries":null},"holder":null}}
            ]}
            """
        try expectJSON(body, equals: json)
        #expect(try JSONDecoder().decode(StatusBody.self, from: Data(json.utf8)) == body)
    }

    @Test("a card kind or PIN state this version does not know still decodes")
    func openSets() throws {
        let card = try JSONDecoder().decode(CardInfo.self, from: Data(#"{"kind":"cps5","pin":{"state":"resting"},"holder":null}"#.utf8))
        #expect(card.kind.rawValue == "cps5")
        #expect(card.pin?.state == .unknown)
    }

    @Test("200 to POST /v1/authenticate: token and holder side by side")
    func authenticationResult() throws {
        let result = AuthenticationResult(token: Self.token, holder: Self.holder)
        try expectJSON(result, equals: #"{"token":\#(Self.tokenJSON),"holder":\#(Self.holderJSON)}"#)
        try expectJSON(AuthenticationResult(token: Self.token, holder: nil), equals: #"{"token":\#(Self.tokenJSON),"holder":null}"#)
    }

    @Test("HTTP error bodies")
    func errorBodies() throws {
        let body = ErrorBody(ErrorPayload(code: .pinIncorrect, triesLeft: 2))
        #expect(body.httpStatus == 403)
        try expectJSON(body, equals: """
            {"error":{"code":"pinIncorrect","triesLeft":2,"message":{
              "fr":"Code PIN incorrect. Il vous reste 2 essais avant le blocage de la carte.",
              "en":"Wrong PIN. 2 tries left before the card is blocked."}}}
            """)
        let readers = ErrorBody(ErrorPayload(code: .readerRequired, readers: ["A 00 00", "B 00 00"]))
        #expect(readers.httpStatus == 409)
        let json = try JSONValue(WireJSON.encode(readers))
        #expect(json["error"]?["readers"] == .array([.string("A 00 00"), .string("B 00 00")]))
        #expect(json["error"]?["triesLeft"] == nil)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: WireJSON.encode(readers)) == readers)
    }

    // MARK: Server messages

    static let serverMessages: [(ServerMessage, String)] = [
        (.status(id: nil, readers: [ReaderInfo(name: "R 00", card: nil)]),
         #"{"v":1,"type":"status","readers":[{"name":"R 00","card":null}]}"#),
        (.status(id: "9", readers: []), #"{"v":1,"type":"status","id":"9","readers":[]}"#),
        (.event(ReaderEvent(.readerAdded, reader: "R 00")),
         #"{"v":1,"type":"event","event":"readerAdded","reader":"R 00","card":null}"#),
        (.event(ReaderEvent(.cardInserted, reader: "R 00", card: card)),
         #"{"v":1,"type":"event","event":"cardInserted","reader":"R 00","card":\#(cardJSON)}"#),
        (.event(ReaderEvent(.cardRemoved, reader: "R 00")),
         #"{"v":1,"type":"event","event":"cardRemoved","reader":"R 00","card":null}"#),
        (.event(ReaderEvent(.readerRemoved, reader: "R 00")),
         #"{"v":1,"type":"event","event":"readerRemoved","reader":"R 00","card":null}"#),
        (.authenticated(id: "7", AuthenticationResult(token: token, holder: holder)),
         #"{"v":1,"type":"result","id":"7","token":\#(tokenJSON),"holder":\#(holderJSON)}"#),
        (.certificate(id: "8", CertificateResult(certificate: "MIIB", holder: holder)),
         #"{"v":1,"type":"result","id":"8","certificate":"MIIB","holder":\#(holderJSON)}"#),
        (.error(id: "7", ErrorPayload(code: .pinIncorrect, triesLeft: 2)),
         #"{"v":1,"type":"error","id":"7","code":"pinIncorrect","triesLeft":2,"message":{"fr":"Code PIN incorrect. Il vous reste 2 essais avant le blocage de la carte.","en":"Wrong PIN. 2 tries left before the card is blocked."}}"#),
        (.error(id: nil, ErrorPayload(code: .badRequest, detail: "the message is not valid JSON")),
         #"{"v":1,"type":"error","code":"badRequest","detail":"the message is not valid JSON","message":{"fr":"La page a envoyé une demande invalide au service CPS. Rechargez la page ; si le problème persiste, contactez le support du site.","en":"The page sent an invalid request to the CPS service. Reload the page; if this keeps happening, contact the website's support."}}"#),
    ]

    @Test("server messages encode exactly", arguments: serverMessages)
    func serverMessageEncodes(message: ServerMessage, json: String) throws {
        try expectJSON(message, equals: json)
        #expect(try JSONValue(message.jsonText()) == JSONValue(json))
    }

    @Test("server messages decode back", arguments: serverMessages)
    func serverMessageDecodes(message: ServerMessage, json: String) throws {
        #expect(try ServerMessage.decode(from: Data(json.utf8)) == message)
    }

    @Test("an error answer to a refused request carries its id and the reason")
    func errorAnswerFromProtocolError() throws {
        do {
            _ = try ClientMessage.decode(from: #"{"v":1,"type":"authenticate","id":"12"}"#)
            Issue.record("decoded a message without a nonce")
        } catch {
            let json = try JSONValue(ServerMessage.error(error).jsonText())
            #expect(json["id"] == .string("12"))
            #expect(json["code"] == .string("badRequest"))
            #expect(json["detail"] == .string(#"missing field "nonce""#))
        }
    }

    @Test("the daemon's JSON leaves slashes unescaped")
    func slashesUnescaped() {
        let text = ServerMessage.authenticated(id: "1", AuthenticationResult(token: Self.token, holder: nil)).jsonText()
        #expect(text.contains("https://github.com/cps-bridge/cps-bridge/releases/tag/v0.1.0"))
        #expect(!text.contains("\\/"))
    }
}
