/// A federator's challenge, as the page passes it: base64 text that is signed as it is
/// written (its UTF-8 bytes are hashed, it is never decoded for signing).
///
/// The rules (PROTOCOL.md, "Nonces"): 44 to 128 characters of standard base64 (RFC 4648
/// section 4: `A-Z a-z 0-9 + /`, padded with `=` to a multiple of 4, no whitespace), in its
/// canonical form (unused trailing bits zero), decoding to at least 32 bytes (256 bits).
/// base64url is refused: every Web eID back end issues standard base64, and one spelling per
/// nonce keeps "the nonce the federator issued" and "the nonce the card signed" the same text.
public struct Nonce: Hashable, Sendable, CustomStringConvertible {
    /// The base64 text, exactly as received; this is what is hashed.
    public let text: String
    /// How many bytes the text decodes to (at least 32).
    public let byteCount: Int

    /// Validates `text` as a nonce.
    /// - Throws: `ProtocolError` `badRequest` with `.invalidValue(field: "nonce", ...)`.
    public init(_ text: String) throws(ProtocolError) {
        self.text = text
        byteCount = try Self.decodedByteCount(text)
    }

    /// Checks `text` against the nonce rules.
    /// - Returns: the validated nonce.
    /// - Throws: `ProtocolError` `badRequest` saying which rule failed.
    @discardableResult
    public static func validate(_ text: String) throws(ProtocolError) -> Nonce {
        try Nonce(text)
    }

    public var description: String { text }

    private static func invalid(_ why: String) -> ProtocolError {
        ProtocolError(.invalidValue(field: "nonce", why: why))
    }

    private static func decodedByteCount(_ text: String) throws(ProtocolError) -> Int {
        let bytes = Array(text.utf8)
        guard ProtocolLimits.nonceLength.contains(bytes.count), bytes.count == text.count else {
            throw invalid("must be \(ProtocolLimits.nonceLength.lowerBound) to \(ProtocolLimits.nonceLength.upperBound) base64 characters long")
        }
        if bytes.contains(UInt8(ascii: "-")) || bytes.contains(UInt8(ascii: "_")) {
            throw invalid("must use the standard base64 alphabet (+ and /), not base64url (- and _)")
        }
        guard bytes.count % 4 == 0 else {
            throw invalid("must be padded base64: its length must be a multiple of 4")
        }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        let body = bytes.dropLast(padding)
        guard padding <= 2, body.allSatisfy({ sextet($0) != nil }) else {
            throw invalid("must be base64 text: A-Z, a-z, 0-9, + and /, with = only as final padding")
        }
        // The last character before padding must leave its unused bits zero (RFC 4648 3.5).
        if padding > 0, let last = body.last.flatMap(sextet) {
            let unusedBits: UInt8 = padding == 1 ? 0b11 : 0b1111
            guard last & unusedBits == 0 else {
                throw invalid("must be canonical base64: the bits after the last byte must be zero")
            }
        }
        let byteCount = bytes.count / 4 * 3 - padding
        guard byteCount >= ProtocolLimits.minNonceBytes else {
            throw invalid("must decode to at least \(ProtocolLimits.minNonceBytes) bytes (it decodes to \(byteCount))")
        }
        return byteCount
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}

extension Nonce: Codable {
    /// Decodes and validates; a bad nonce is a `ProtocolError`, not a `DecodingError`.
    public init(from decoder: any Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
