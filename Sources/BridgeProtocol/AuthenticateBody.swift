#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What an `authenticate` request asks, in both transports: the fields of the WebSocket
/// message (beside `v`, `type`, `id`) and the body of `POST /v1/authenticate`.
///
/// The origin is not here: the server takes it from the browser's `Origin` header, never from
/// the body. `null` is the same as an absent optional field.
public struct AuthenticateBody: Hashable, Sendable {
    /// The federator's challenge, signed as its base64 text.
    public var nonce: Nonce
    /// The PC/SC reader to use; required only when several cards are present.
    public var reader: String?
    /// A PIN typed into the page, for origins allowed to send one (see `PagePIN`).
    public var pin: PagePIN?
    /// Spend the card's last PIN try (the page asked the user first).
    public var confirmFinalTry: Bool

    public init(nonce: Nonce, reader: String? = nil, pin: PagePIN? = nil, confirmFinalTry: Bool = false) {
        self.nonce = nonce
        self.reader = reader
        self.pin = pin
        self.confirmFinalTry = confirmFinalTry
    }

    /// Decodes the body of `POST /v1/authenticate`: `v` may be left out (it is then 1).
    /// The plain body is read directly (`decodeFast`); anything else goes to `JSONDecoder`,
    /// which finds the same body or the precise error.
    /// - Throws: `ProtocolError` `badRequest` with the precise reason.
    public static func decode(from bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> AuthenticateBody {
        if let body = decodeFast(bytes) { return body }
        return try decodeWithJSONDecoder(from: Data(bytes))
    }

    /// Decodes the body of `POST /v1/authenticate` (see `decode(from:)` for raw bytes).
    /// - Throws: `ProtocolError` `badRequest` with the precise reason.
    public static func decode(from data: Data) throws(ProtocolError) -> AuthenticateBody {
        if let body = data.withUnsafeBytes(decodeFast) { return body }
        return try decodeWithJSONDecoder(from: data)
    }

    /// The `JSONDecoder` path alone: every error, with its reason, comes from here.
    /// - Throws: `ProtocolError` `badRequest` with the precise reason.
    public static func decodeWithJSONDecoder(from data: Data) throws(ProtocolError) -> AuthenticateBody {
        try ProtocolError.decodeMessage(HTTPBody.self, from: data).body
    }

    /// Whether `name` can be a PC/SC reader name: non-empty, at most
    /// `ProtocolLimits.maxReaderNameBytes`, no control characters.
    static func isValidReaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= ProtocolLimits.maxReaderNameBytes
            && !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }

    /// The HTTP form: an optional `v`, then the fields.
    private struct HTTPBody: Decodable {
        var body: AuthenticateBody

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: MessageKey.self)
            if c.contains(.v) { try c.checkVersion() }
            body = try AuthenticateBody(from: decoder)
        }
    }
}

extension AuthenticateBody: Codable {
    enum CodingKeys: String, CodingKey { case nonce, reader, pin, confirmFinalTry }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nonce = try c.decode(Nonce.self, forKey: .nonce)
        reader = try c.decodeReaderName(forKey: .reader)
        pin = try c.decodeIfPresent(PagePIN.self, forKey: .pin)
        confirmFinalTry = try c.decodeIfPresent(Bool.self, forKey: .confirmFinalTry) ?? false
    }

    /// Writes the fields (without `v`, which the enclosing message or the HTTP default gives).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nonce, forKey: .nonce)
        try c.encodeIfPresent(reader, forKey: .reader)
        try c.encodeIfPresent(pin, forKey: .pin)
        try c.encode(confirmFinalTry, forKey: .confirmFinalTry)
    }
}

extension AuthenticateBody: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never shows the PIN: `pin: <redacted>` when there is one.
    public var description: String {
        "AuthenticateBody(nonce: \(nonce.text), reader: \(reader.map { "\"\($0)\"" } ?? "nil"), "
            + "pin: \(pin == nil ? "nil" : "<redacted>"), confirmFinalTry: \(confirmFinalTry))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "nonce": nonce.text,
            "reader": reader as Any,
            "pin": pin == nil ? "nil" : "<redacted>",
            "confirmFinalTry": confirmFinalTry,
        ], displayStyle: .struct)
    }
}

extension KeyedDecodingContainer {
    /// An optional reader name: non-empty, at most `ProtocolLimits.maxReaderNameBytes`, no
    /// control characters.
    func decodeReaderName(forKey key: Key) throws -> String? {
        guard let name = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard AuthenticateBody.isValidReaderName(name) else {
            throw ProtocolError(.invalidValue(
                field: key.stringValue,
                why: "must be a PC/SC reader name: 1 to \(ProtocolLimits.maxReaderNameBytes) bytes, no control characters"))
        }
        return name
    }
}
