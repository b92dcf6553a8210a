import BridgeProtocol
import Foundation
import Testing

@Suite("Nonces")
struct NonceTests {
    /// 32 bytes, so 44 characters with one `=`.
    static let valid44 = "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg="

    static let acceptedNonces: [(String, Int)] = [
        (valid44, 32),
        (Data(repeating: 0xA5, count: 33).base64EncodedString(), 33),   // 44 characters, no padding
        (Data(repeating: 0x5A, count: 34).base64EncodedString(), 34),   // 48 characters, ==
        (Data(repeating: 0xFF, count: 96).base64EncodedString(), 96),   // 128 characters
    ]

    @Test("valid nonces", arguments: acceptedNonces)
    func valid(text: String, bytes: Int) throws {
        let nonce = try Nonce.validate(text)
        #expect(nonce.text == text)
        #expect(nonce.byteCount == bytes)
    }

    static let refusedNonces: [(String, String)] = [
        (String(valid44.dropLast()), "must be 44 to 128 base64 characters long"),                          // 43
        (Data(repeating: 1, count: 97).base64EncodedString() + "A", "must be 44 to 128 base64 characters long"), // 133
        (String(repeating: "A", count: 129), "must be 44 to 128 base64 characters long"),
        ("", "must be 44 to 128 base64 characters long"),
        // 44 characters decoding to 31 bytes: "AAAA" x 10 + "AA==" is 30 + 1 = 31.
        (String(repeating: "AAAA", count: 10) + "AA==", "must decode to at least 32 bytes (it decodes to 31)"),
        ("kDQG76N4DGrl0K0FicTQx-rC3b6pMZ_Him5BoaCONjg=", "must use the standard base64 alphabet (+ and /), not base64url (- and _)"),
        ("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjgAAA", "must be padded base64: its length must be a multiple of 4"), // 46
        ("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjgAkDQG7", "must be padded base64: its length must be a multiple of 4"),
        ("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONj!=", "must be base64 text: A-Z, a-z, 0-9, + and /, with = only as final padding"),
        ("kDQG76N4DGrl0K0F cTQx+rC3b6pMZ/Him5BoaCONjg=", "must be base64 text: A-Z, a-z, 0-9, + and /, with = only as final padding"),
        ("kDQG76N4DGrl0K0F=cTQx+rC3b6pMZ/Him5BoaCONjg=", "must be base64 text: A-Z, a-z, 0-9, + and /, with = only as final padding"),
        (String(repeating: "A", count: 45) + "===", "must be base64 text: A-Z, a-z, 0-9, + and /, with = only as final padding"),
        // Non-canonical: "h" leaves the last two bits set.
        ("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjh=", "must be canonical base64: the bits after the last byte must be zero"),
        ("kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjgé", "must be 44 to 128 base64 characters long"),
    ]

    @Test("refused nonces", arguments: refusedNonces)
    func invalid(text: String, why: String) {
        #expect(throws: ProtocolError(.invalidValue(field: "nonce", why: why))) { try Nonce.validate(text) }
    }

    @Test("the padding-free 43-character form of 32 bytes is refused, as Web eID refuses it")
    func unpadded43() {
        #expect(throws: ProtocolError.self) { try Nonce.validate(String(Self.valid44.dropLast())) }
    }
}
