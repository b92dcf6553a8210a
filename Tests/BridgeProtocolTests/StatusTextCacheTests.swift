import BridgeProtocol
import Foundation
import Testing

/// The cached status text is what `WireJSON` writes for the same message, whatever the id
/// and however the readers change.
@Suite struct StatusTextCacheTests {
    static let holder = HolderSummary(nationalId: "899700012345", nationalIdType: "rpps", rpps: "99700012345",
                                      familyName: "TEST-CPS", givenName: "CAMILLE", profession: "Médecin")
    static let present = [
        ReaderInfo(name: "Reader A 00 00", card: CardInfo(kind: .cps3, pin: .init(state: .ok, triesLeft: 3, maxTries: 3), holder: holder)),
        ReaderInfo(name: "Reader B 00 00", card: nil),
    ]
    static let afterALogin = [
        ReaderInfo(name: "Reader A 00 00", card: CardInfo(kind: .cps3, pin: .init(state: .ok, triesLeft: 2, maxTries: 3), holder: holder)),
        ReaderInfo(name: "Reader B 00 00", card: nil),
    ]
    static let ids = ["1", "42", "", "a\"quote", "back\\slash", "sl/ash", "é-ü-✓", "tab\tnew\nline", "nul\u{0}ctl\u{1F}", "\u{0}cps-bridge status id\u{0}"]

    static func reference(_ id: String, _ readers: [ReaderInfo]) -> String {
        String(decoding: WireJSON.encode(ServerMessage.status(id: id, readers: readers)), as: UTF8.self)
    }

    @Test func eachAnswerIsWhatTheEncoderWrites() {
        let cache = StatusTextCache()
        for readers in [Self.present, Self.present, Self.afterALogin, [], Self.present] {
            for id in Self.ids {
                #expect(cache.text(id: id, readers: readers) == Self.reference(id, readers), "id \(id.debugDescription)")
            }
        }
    }

    @Test func aReaderNamedLikeTheSentinelIsNotCachedAndStillRight() {
        let odd = [ReaderInfo(name: "\u{0}cps-bridge status id\u{0}", card: nil)]
        let cache = StatusTextCache()
        #expect(cache.text(id: "7", readers: odd) == Self.reference("7", odd))
        #expect(cache.text(id: "8", readers: odd) == Self.reference("8", odd))
    }

    @Test func theDaemonsMessagesUseIt() {
        let message = ServerMessage.status(id: "9", readers: Self.present)
        #expect(message.jsonText() == Self.reference("9", Self.present))
        #expect(ServerMessage.status(id: nil, readers: Self.present).jsonText()
                == String(decoding: WireJSON.encode(ServerMessage.status(id: nil, readers: Self.present)), as: UTF8.self))
    }
}
