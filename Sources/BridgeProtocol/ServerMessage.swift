#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message the daemon sends on the WebSocket `/v1/ws`.
///
/// ```json
/// {"v":1,"type":"status","readers":[...]}                       on connect (no id)
/// {"v":1,"type":"status","id":"9","readers":[...]}              answer to status
/// {"v":1,"type":"event","event":"cardInserted","reader":"...","card":{...}}
/// {"v":1,"type":"result","id":"7","token":{...},"holder":{...}} answer to authenticate
/// {"v":1,"type":"result","id":"8","certificate":"MII...","holder":{...}} answer to getCertificate
/// {"v":1,"type":"error","id":"7","code":"pinIncorrect","triesLeft":2,"message":{...}}
/// ```
/// The daemon writes them with `jsonBytes()`/`jsonText()` (`JSONWriter`, no Codable); the
/// Codable conformance below reads them (clients, tests) and is the reference the writer is
/// tested against.
public enum ServerMessage: Hashable, Sendable {
    /// The readers and cards: pushed on connect (`id` `nil`) and answering `status`.
    case status(id: String?, readers: [ReaderInfo])
    /// A reader or card change.
    case event(ReaderEvent)
    /// A successful `authenticate`.
    case authenticated(id: String, AuthenticationResult)
    /// A successful `getCertificate`.
    case certificate(id: String, CertificateResult)
    /// A request that failed; `id` is `nil` when the message was too broken to read one
    /// (the key is then left out).
    case error(id: String?, ErrorPayload)

    /// The answer to a request the protocol refused.
    public static func error(_ error: ProtocolError) -> ServerMessage {
        .error(id: error.id, ErrorPayload(error))
    }

    /// The wire name of the message's `type`.
    public var type: String {
        switch self {
        case .status: "status"
        case .event: "event"
        case .authenticated, .certificate: "result"
        case .error: "error"
        }
    }

    /// The `id` of the request this answers, if any.
    public var id: String? {
        switch self {
        case .status(let id, _), .error(let id, _): id
        case .authenticated(let id, _), .certificate(let id, _): id
        case .event: nil
        }
    }

    /// Decodes a message from the daemon (for clients and tests).
    public static func decode(from data: Data) throws(ProtocolError) -> ServerMessage {
        try ProtocolError.decodeMessage(ServerMessage.self, from: data)
    }
}

extension ServerMessage: Codable {
    private enum Key: String, CodingKey { case readers, event, reader, card, token }

    public init(from decoder: any Decoder) throws {
        let envelope = try decoder.container(keyedBy: MessageKey.self)
        self = try ProtocolError.mapping(id: envelope.peekID()) {
            try envelope.checkVersion()
            let c = try decoder.container(keyedBy: Key.self)
            let type = try envelope.decodeType()
            switch type {
            case "status":
                let id = envelope.contains(.id) ? try envelope.decodeID() : nil
                return .status(id: id, readers: try c.decode([ReaderInfo].self, forKey: .readers))
            case "event":
                return .event(ReaderEvent(try c.decode(ReaderEvent.Kind.self, forKey: .event),
                                          reader: try c.decode(String.self, forKey: .reader),
                                          card: try c.decodeIfPresent(CardInfo.self, forKey: .card)))
            case "result":
                let id = try envelope.decodeID()
                return c.contains(.token)
                    ? .authenticated(id: id, try AuthenticationResult(from: decoder))
                    : .certificate(id: id, try CertificateResult(from: decoder))
            case "error":
                let id = envelope.contains(.id) ? try envelope.decodeID() : nil
                return .error(id: id, try ErrorPayload(from: decoder))
            default:
                throw ProtocolError(.unknownType(type))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var envelope = encoder.container(keyedBy: MessageKey.self)
        try envelope.encode(ProtocolLimits.version, forKey: .v)
        try envelope.encode(type, forKey: .type)
        try envelope.encodeIfPresent(id, forKey: .id)
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .status(_, let readers):
            try c.encode(readers, forKey: .readers)
        case .event(let event):
            try c.encode(event.event, forKey: .event)
            try c.encode(event.reader, forKey: .reader)
            try c.encode(event.card, forKey: .card)
        case .authenticated(_, let result):
            try result.encode(to: encoder)
        case .certificate(_, let result):
            try result.encode(to: encoder)
        case .error(_, let payload):
            try payload.encode(to: encoder)
        }
    }
}
