#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request a page sends on the WebSocket `/v1/ws`.
///
/// ```json
/// {"v":1,"type":"authenticate","id":"7","nonce":"...","reader":"...","pin":"...","confirmFinalTry":false}
/// {"v":1,"type":"getCertificate","id":"8","reader":"..."}
/// {"v":1,"type":"cancel","id":"7"}
/// {"v":1,"type":"status","id":"9"}
/// ```
/// Every request has an `id` (1 to 64 printable ASCII characters, chosen by the page) that
/// its answer repeats; `cancel` names the `id` of the request to cancel and gets no answer of
/// its own (the cancelled request ends with a `cancelled` error). Unknown fields are ignored.
public enum ClientMessage: Hashable, Sendable {
    /// Sign the page's nonce with the card's authentication key.
    case authenticate(id: String, AuthenticateBody)
    /// Read the authentication certificate and the holder, without a PIN.
    case getCertificate(id: String, reader: String?)
    /// Cancel the request `id` (a PIN prompt in progress is closed).
    case cancel(id: String)
    /// Answer with the readers and cards now.
    case status(id: String)

    /// The request's `id`.
    public var id: String {
        switch self {
        case .authenticate(let id, _), .getCertificate(let id, _), .cancel(let id), .status(let id): id
        }
    }

    /// The wire name of the message's `type`.
    public var type: String {
        switch self {
        case .authenticate: "authenticate"
        case .getCertificate: "getCertificate"
        case .cancel: "cancel"
        case .status: "status"
        }
    }

    /// Decodes one WebSocket text message: the plain case directly (`decodeFast`), anything
    /// else, errors included, with `JSONDecoder` (`decodeWithJSONDecoder`); both give the
    /// same message for the same bytes.
    /// - Throws: `ProtocolError` `badRequest` with the precise reason, and the message's `id`
    ///   when it could be read, so that the error answer can carry it.
    public static func decode(from data: Data) throws(ProtocolError) -> ClientMessage {
        if let message = data.withUnsafeBytes(decodeFast) { return message }
        return try decodeWithJSONDecoder(from: data)
    }

    /// Decodes one WebSocket text message.
    public static func decode(from text: String) throws(ProtocolError) -> ClientMessage {
        var text = text
        if let message = text.withUTF8({ decodeFast(UnsafeRawBufferPointer($0)) }) { return message }
        return try decodeWithJSONDecoder(from: Data(text.utf8))
    }

    /// Decodes one message through `JSONDecoder` and the Codable conformance: the reference
    /// for every input, and the only path for the inputs `decodeFast` leaves.
    public static func decodeWithJSONDecoder(from data: Data) throws(ProtocolError) -> ClientMessage {
        try ProtocolError.decodeMessage(ClientMessage.self, from: data)
    }
}

extension ClientMessage: Codable {
    private enum Key: String, CodingKey { case reader }

    public init(from decoder: any Decoder) throws {
        let envelope = try decoder.container(keyedBy: MessageKey.self)
        self = try ProtocolError.mapping(id: envelope.peekID()) {
            try envelope.checkVersion()
            let type = try envelope.decodeType()
            switch type {
            case "authenticate":
                let id = try envelope.decodeID()
                return .authenticate(id: id, try AuthenticateBody(from: decoder))
            case "getCertificate":
                let id = try envelope.decodeID()
                let reader = try decoder.container(keyedBy: Key.self).decodeReaderName(forKey: .reader)
                return .getCertificate(id: id, reader: reader)
            case "cancel":
                return .cancel(id: try envelope.decodeID())
            case "status":
                return .status(id: try envelope.decodeID())
            default:
                throw ProtocolError(.unknownType(type))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var envelope = encoder.container(keyedBy: MessageKey.self)
        try envelope.encode(ProtocolLimits.version, forKey: .v)
        try envelope.encode(type, forKey: .type)
        try envelope.encode(id, forKey: .id)
        switch self {
        case .authenticate(_, let body):
            try body.encode(to: encoder)
        case .getCertificate(_, let reader):
            var c = encoder.container(keyedBy: Key.self)
            try c.encodeIfPresent(reader, forKey: .reader)
        case .cancel, .status:
            break
        }
    }
}

extension ClientMessage: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never shows a PIN (see `AuthenticateBody.description`).
    public var description: String {
        switch self {
        case .authenticate(let id, let body): "authenticate(id: \"\(id)\", \(body))"
        case .getCertificate(let id, let reader): "getCertificate(id: \"\(id)\", reader: \(reader.map { "\"\($0)\"" } ?? "nil"))"
        case .cancel(let id): "cancel(id: \"\(id)\")"
        case .status(let id): "status(id: \"\(id)\")"
        }
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        switch self {
        case .authenticate(let id, let body): Mirror(self, children: ["id": id, "body": body], displayStyle: .enum)
        case .getCertificate(let id, let reader): Mirror(self, children: ["id": id, "reader": reader as Any], displayStyle: .enum)
        case .cancel(let id), .status(let id): Mirror(self, children: ["id": id], displayStyle: .enum)
        }
    }
}
