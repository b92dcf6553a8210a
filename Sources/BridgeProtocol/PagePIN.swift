/// A PIN typed into a page, as it arrives in an `authenticate` request from an origin the
/// server allows to send one.
///
/// The JSON decoder hands it over as a `String`, which cannot be zeroed: it lives only inside
/// the decoded request. **The server turns it into the card layer's `SecretPIN` at once**
/// (`SecretPIN(utf8: pin.revealText())`), drops the request, and never logs it. It prints as
/// `<redacted>` everywhere (`description`, `debugDescription`, `dump`, interpolation), and no
/// error reason ever quotes it.
public struct PagePIN: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let text: String

    /// Checks the PIN's form: 4 to 12 ASCII digits (`ProtocolLimits.pinLength`).
    /// - Throws: `ProtocolError` `badRequest`, which does not quote the PIN.
    public init(_ text: String) throws(ProtocolError) {
        guard ProtocolLimits.pinLength.contains(text.utf8.count),
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw ProtocolError(.invalidValue(
                field: "pin",
                why: "must be \(ProtocolLimits.pinLength.lowerBound) to \(ProtocolLimits.pinLength.upperBound) digits"))
        }
        self.text = text
    }

    /// The PIN's text, for the one place that turns it into a `SecretPIN`. The name is meant
    /// to stand out in review: nothing else should call it.
    public func revealText() -> String { text }

    /// The PIN's length in digits (safe to log: the card's policy already makes it public).
    public var count: Int { text.utf8.count }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension PagePIN: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
