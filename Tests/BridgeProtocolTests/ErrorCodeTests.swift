import BridgeProtocol
import Testing

@Suite("Error codes")
struct ErrorCodeTests {
    /// The stable wire names, in PROTOCOL.md's order. Adding one is fine; changing one is not.
    static let stable = [
        "badRequest", "originNotAllowed", "hostNotAllowed", "noReader", "noCard", "readerRequired",
        "unsupportedCard", "cardRemoved", "pinIncorrect", "pinFinalTry", "pinBlocked", "pagePinNotAllowed",
        "pinEntryUnavailable", "busy", "timeout", "cancelled", "internal", "otherUser", "bridgeNotRunning",
    ]

    @Test("the codes are the stable list")
    func stableNames() {
        #expect(ErrorCode.allCases.map(\.rawValue) == Self.stable)
    }

    static let statuses: [(ErrorCode, Int)] = [
        (.badRequest, 400),
        (.originNotAllowed, 403), (.hostNotAllowed, 403), (.pagePinNotAllowed, 403), (.otherUser, 403),
        (.pinIncorrect, 403), (.pinBlocked, 403),
        (.noReader, 404), (.noCard, 404),
        (.readerRequired, 409), (.pinFinalTry, 409), (.busy, 409), (.cardRemoved, 409), (.timeout, 409), (.cancelled, 409),
        (.unsupportedCard, 422), (.pinEntryUnavailable, 422),
        (.internal, 500), (.bridgeNotRunning, 503),
    ]

    @Test("HTTP statuses", arguments: statuses)
    func httpStatus(code: ErrorCode, status: Int) {
        #expect(code.httpStatus == status)
    }

    @Test("every code has a status in the table; only internal and bridgeNotRunning are 5xx")
    func statusTableComplete() {
        #expect(Set(Self.statuses.map(\.0)) == Set(ErrorCode.allCases))
        #expect(ErrorCode.allCases.filter { $0.httpStatus >= 500 } == [.internal, .bridgeNotRunning])
    }

    @Test("every code has a distinct French and English message", arguments: ErrorCode.allCases)
    func messages(code: ErrorCode) {
        let message = code.message
        #expect(!message.fr.isEmpty && !message.en.isEmpty)
        #expect(message.fr != message.en)
        #expect(message.fr.hasSuffix(".") && message.en.hasSuffix("."))
        // Vouvoiement: never "tu", "ton", "ta", "tes".
        let words = message.fr.lowercased().split(whereSeparator: { !$0.isLetter })
        #expect(!words.contains { ["tu", "ton", "ta", "tes", "toi"].contains(String($0)) })
        let others = ErrorCode.allCases.filter { $0 != code }.map(\.message)
        #expect(!others.contains { $0.fr == message.fr || $0.en == message.en })
    }

    @Test("pinIncorrect counts the tries left")
    func pinIncorrect() {
        #expect(ErrorCode.pinIncorrect.message(triesLeft: 2).fr == "Code PIN incorrect. Il vous reste 2 essais avant le blocage de la carte.")
        #expect(ErrorCode.pinIncorrect.message(triesLeft: 1).en == "Wrong PIN. Only one try is left before the card is blocked.")
        #expect(ErrorCode.pinIncorrect.message(triesLeft: nil) == ErrorCode.pinIncorrect.message)
        #expect(ErrorPayload(code: .pinIncorrect, triesLeft: 2).message == ErrorCode.pinIncorrect.message(triesLeft: 2))
    }

    @Test("a refused request answers badRequest with the reason as detail")
    func payloadFromProtocolError() {
        let payload = ErrorPayload(ProtocolError(.missingField("nonce"), id: "7"))
        #expect(payload.code == .badRequest)
        #expect(payload.detail == #"missing field "nonce""#)
        #expect(payload.message == ErrorCode.badRequest.message)
    }
}
