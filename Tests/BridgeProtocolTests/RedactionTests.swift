import BridgeProtocol
import Testing

/// A PIN from a page never shows in text made from a request, whatever makes the text.
@Suite("PIN redaction")
struct RedactionTests {
    static let pin = "73916482"
    static let json = #"{"v":1,"type":"authenticate","id":"7","nonce":"kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=","pin":"\#(pin)"}"#

    static func renderings() throws -> [String] {
        let message = try ClientMessage.decode(from: json)
        guard case .authenticate(_, let body) = message, let pagePIN = body.pin else {
            Issue.record("no PIN decoded")
            return []
        }
        var dumped = ""
        dump(message, to: &dumped)
        var dumpedBody = ""
        dump(body, to: &dumpedBody)
        var dumpedPIN = ""
        dump(pagePIN, to: &dumpedPIN)
        return [
            "\(message)", "\(body)", "\(pagePIN)",
            String(describing: message), String(describing: body), String(describing: pagePIN),
            String(reflecting: message), String(reflecting: body), String(reflecting: pagePIN),
            dumped, dumpedBody, dumpedPIN,
            "\(Mirror(reflecting: body).children.map { "\($0.label ?? ""): \($0.value)" })",
            "\([message])", "\(Optional(body) as Any)",
        ]
    }

    @Test("no rendering of a decoded request contains the PIN")
    func neverShown() throws {
        let texts = try Self.renderings()
        #expect(texts.count == 15)
        for text in texts {
            #expect(!text.contains(Self.pin), "\(text)")
        }
        #expect(texts.contains { $0.contains("<redacted>") })
    }

    @Test("the PIN is still there for the one place that needs it")
    func revealed() throws {
        guard case .authenticate(_, let body) = try ClientMessage.decode(from: Self.json) else { return }
        #expect(body.pin?.revealText() == Self.pin)
        #expect(body.pin?.count == 8)
    }

    @Test("a malformed PIN is refused without being quoted")
    func errorDoesNotQuote() {
        let bad = "12345x"
        do {
            _ = try ClientMessage.decode(from: #"{"v":1,"type":"authenticate","id":"7","nonce":"kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=","pin":"\#(bad)"}"#)
            Issue.record("accepted a malformed PIN")
        } catch {
            #expect(!error.description.contains(bad))
            #expect(!ServerMessage.error(error).jsonText().contains(bad))
        }
    }
}
