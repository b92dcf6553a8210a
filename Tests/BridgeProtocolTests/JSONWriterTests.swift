import BridgeProtocol
import Foundation
import Testing

/// `ServerMessage.jsonBytes()` (`JSONWriter`) writes exactly what `WireJSON.encode` (Codable,
/// `JSONEncoder` with sorted keys, unescaped slashes) writes, over every kind of message and
/// awkward text.
@Suite struct JSONWriterTests {
    /// Texts that exercise the escaping: quotes, backslashes, every control character, `/`,
    /// DEL, non-ASCII, emoji, the line and paragraph separators, a byte-order mark.
    static let texts: [String] = [
        "", "a", "Virtual PCD 00 00", "a\"quote\"", "back\\slash\\", "sl/ash and https://x.test/a/b", "é-ü-✓ Médecin",
        "emoji 👩‍⚕️🇫🇷", "tab\tnew\nline\rcr\u{8}bs\u{C}ff", "nul\u{0}ctl\u{1F}del\u{7F}", "\u{2028}ls\u{2029}ps\u{85}nel",
        "<script>&'</script>", "\u{FEFF}bom", String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }),
        "\\u0041 \\\" \\/", "MIIF+/==", String(repeating: "long ", count: 200), "e\u{301}", "\u{10FFFF}\u{FFFD}",
    ]
    static let ints = [0, 1, 2, 3, 9, 10, -1, 42, 1_000_000, Int.max, Int.min]

    /// A deterministic choice of texts and numbers.
    struct Picker {
        var state: UInt64
        mutating func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        mutating func text() -> String { JSONWriterTests.texts[next() % JSONWriterTests.texts.count] }
        mutating func maybeText() -> String? { next() % 4 == 0 ? nil : text() }
        mutating func int() -> Int { JSONWriterTests.ints[next() % JSONWriterTests.ints.count] }
        mutating func maybeInt() -> Int? { next() % 3 == 0 ? nil : int() }
        mutating func bool() -> Bool { next() % 2 == 0 }

        mutating func holder() -> HolderSummary? {
            guard next() % 4 != 0 else { return nil }
            return HolderSummary(nationalId: text(), nationalIdType: text(), rpps: maybeText(), familyName: maybeText(),
                                 givenName: maybeText(), profession: maybeText(), organization: maybeText())
        }
        mutating func card() -> CardInfo? {
            guard next() % 4 != 0 else { return nil }
            let kinds: [CardInfo.Kind] = [.cps3, .cps3Contactless, .cps4, .cps2ter, .unknown, .init(rawValue: text())]
            let states: [CardInfo.PIN.State] = [.ok, .finalTry, .blocked, .unknown]
            let pin = next() % 3 == 0 ? nil : CardInfo.PIN(state: states[next() % 4], triesLeft: maybeInt(), maxTries: maybeInt())
            return CardInfo(kind: kinds[next() % kinds.count], pin: pin, holder: holder())
        }
        mutating func readers() -> [ReaderInfo] {
            (0..<(next() % 4)).map { _ in ReaderInfo(name: text(), card: card()) }
        }
        mutating func token() -> AuthenticationToken {
            AuthenticationToken(format: text(), unverifiedCertificate: text(), algorithm: text(), signature: text(), appVersion: text())
        }
        mutating func payload() -> ErrorPayload {
            var payload = ErrorPayload(code: ErrorCode.allCases[next() % ErrorCode.allCases.count], triesLeft: maybeInt(),
                                       readers: next() % 3 == 0 ? nil : (0..<(next() % 3)).map { _ in text() },
                                       detail: maybeText())
            if bool() { payload.message = LocalizedMessage(fr: text(), en: text()) }
            return payload
        }

        /// Any message, each kind in turn.
        mutating func message(_ n: Int) -> ServerMessage {
            switch n % 5 {
            case 0: .status(id: maybeText(), readers: readers())
            case 1: .event(ReaderEvent(ReaderEvent.Kind.allCases[next() % 4], reader: text(), card: card()))
            case 2: .authenticated(id: text(), AuthenticationResult(token: token(), holder: holder()))
            case 3: .certificate(id: text(), CertificateResult(certificate: text(), holder: holder()))
            default: .error(id: maybeText(), payload())
            }
        }
    }

    @Test func everyMessageKindIsWrittenAsTheEncoderWritesIt() {
        var picker = Picker(state: 2026)
        var mismatches = 0
        for n in 0..<5000 {
            let message = picker.message(n)
            let expected = Array(WireJSON.encode(message))
            let written = message.jsonBytes()
            if written != expected {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("\(String(decoding: written, as: UTF8.self))\n  vs\n\(String(decoding: expected, as: UTF8.self))")
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func theHTTPLoginAnswerIsWrittenAsTheEncoderWritesIt() {
        var picker = Picker(state: 6)
        for _ in 0..<1000 {
            let result = AuthenticationResult(token: picker.token(), holder: picker.holder())
            #expect(result.jsonBytes() == Array(WireJSON.encode(result)))
        }
    }

    @Test func eachTextIsEscapedAsTheEncoderEscapesIt() {
        for text in Self.texts + (0..<0x80).map({ String(Unicode.Scalar(UInt8($0))) }) {
            let message = ServerMessage.certificate(id: text, CertificateResult(certificate: text, holder: nil))
            #expect(message.jsonBytes() == Array(WireJSON.encode(message)), "\(text.debugDescription)")
        }
    }

    /// The writer skips eight bytes at a time where nothing needs an escape: every ASCII
    /// character, and a two-byte one, at every offset of a text longer than two such words,
    /// comes out as the encoder writes it.
    @Test func everyCharacterAtEveryOffsetOfALongTextIsEscapedAsTheEncoderEscapesIt() {
        let filler = Array("abcdefghijklmnopqrstuvwxyz0123".utf8)
        for scalar in (0..<0x80).map({ Unicode.Scalar(UInt8($0)) }) + ["é", "\u{2028}"] {
            for offset in 0...filler.count {
                var text = String(decoding: filler[..<offset], as: UTF8.self)
                text.unicodeScalars.append(scalar)
                text += String(decoding: filler[offset...], as: UTF8.self)
                let message = ServerMessage.certificate(id: "1", CertificateResult(certificate: text, holder: nil))
                #expect(message.jsonBytes() == Array(WireJSON.encode(message)), "\(text.debugDescription)")
            }
        }
    }

    @Test func theProtocolsOwnErrorsAreWrittenAsTheEncoderWritesThem() {
        let errors: [ProtocolError] = [
            ProtocolError(.notJSON), ProtocolError(.notAnObject), ProtocolError(.messageTooLarge(limit: 16384)),
            ProtocolError(.missingField("nonce"), id: "7"), ProtocolError(.unknownType("x\"y"), id: "a/b"),
            ProtocolError(.wrongType(field: "v", expected: "an integer")), ProtocolError(.unsupportedVersion(-3)),
        ]
        for error in errors {
            #expect(ServerMessage.error(error).jsonText() == String(decoding: WireJSON.encode(ServerMessage.error(error)), as: UTF8.self))
        }
    }
}
