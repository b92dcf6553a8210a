/// What an error answer says: the stable code, a message for the holder, and the details the
/// code calls for. It is the body of a WebSocket `error` message (flattened beside `v`,
/// `type`, `id`) and the `error` object of an HTTP error body.
///
/// ```json
/// {"code":"pinIncorrect","triesLeft":2,"message":{"fr":"...","en":"..."}}
/// ```
public struct ErrorPayload: Hashable, Sendable {
    public var code: ErrorCode
    /// What a page can show the holder.
    public var message: LocalizedMessage
    /// PIN tries left: with `pinIncorrect` when the card tells it, and `1` with `pinFinalTry`.
    public var triesLeft: Int?
    /// The readers holding a card, with `readerRequired`.
    public var readers: [String]?
    /// For the page's developer: why a request is a `badRequest` (English, never a PIN).
    public var detail: String?

    /// An error with the code's standard message (for `pinIncorrect`, one that counts the
    /// tries left).
    public init(code: ErrorCode, triesLeft: Int? = nil, readers: [String]? = nil, detail: String? = nil) {
        self.code = code
        message = code.message(triesLeft: triesLeft)
        self.triesLeft = triesLeft
        self.readers = readers
        self.detail = detail
    }

    /// The answer to a request the protocol refused; `detail` is the reason.
    public init(_ error: ProtocolError) {
        self.init(code: error.code, detail: error.reason.description)
    }
}

extension ErrorPayload: Codable {
    enum CodingKeys: String, CodingKey { case code, message, triesLeft, readers, detail }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(ErrorCode.self, forKey: .code)
        message = try c.decode(LocalizedMessage.self, forKey: .message)
        triesLeft = try c.decodeIfPresent(Int.self, forKey: .triesLeft)
        readers = try c.decodeIfPresent([String].self, forKey: .readers)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(triesLeft, forKey: .triesLeft)
        try c.encodeIfPresent(readers, forKey: .readers)
        try c.encodeIfPresent(detail, forKey: .detail)
    }
}
