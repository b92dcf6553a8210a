/// The plain request read without `JSONDecoder`: a flat object (`FlatJSONObject`) whose
/// fields are all present, of the right type and valid. The usual `status` request is read
/// here with no Codable machinery and no copy of the text.
///
/// Anything else gives `nil`, and `decode(from:)` then runs the `JSONDecoder` path, which
/// finds the same message or the precise error: this path never throws, so every error,
/// its reason and its `id`, comes from one place. The field rules are the Codable path's
/// (`MessageKey`, `AuthenticateBody`, `Nonce`, `PagePIN`); a differential test runs both over
/// a corpus of valid and broken messages.
extension ClientMessage {
    /// The message in `bytes` when it is the plain, valid case; `nil` otherwise (not an
    /// error: the caller falls back to `decodeWithJSONDecoder`).
    public static func decodeFast(_ bytes: UnsafeRawBufferPointer) -> ClientMessage? {
        guard bytes.count <= ProtocolLimits.maxMessageBytes, let object = FlatJSONObject(bytes),
              case .integer(ProtocolLimits.version)? = object["v"],
              case .string(let type)? = object["type"],
              case .string(let id)? = object["id"],
              KeyedDecodingContainer<MessageKey>.isValidID(id) else { return nil }
        switch type {
        case "status":
            return .status(id: id)
        case "cancel":
            return .cancel(id: id)
        case "getCertificate":
            guard let reader = readerName(object["reader"]) else { return nil }
            return .getCertificate(id: id, reader: reader)
        case "authenticate":
            return AuthenticateBody(fields: object).map { .authenticate(id: id, $0) }
        default:
            return nil
        }
    }

    /// An optional reader name as `decodeReaderName` reads it: `.some(nil)` when absent or
    /// `null`, `.some(name)` when valid, `nil` (fall back) otherwise.
    fileprivate static func readerName(_ value: FlatJSONObject.Value?) -> String?? {
        switch value {
        case nil, .null?: return .some(nil)
        case .string(let name)?: return AuthenticateBody.isValidReaderName(name) ? .some(name) : nil
        default: return nil
        }
    }
}

extension AuthenticateBody {
    /// The body of `POST /v1/authenticate` when it is the plain, valid case (a flat object,
    /// `v` absent or 1, the fields valid); `nil` otherwise, and `decode(from:)` then runs the
    /// `JSONDecoder` path, which gives the same body or the precise error (a differential
    /// test runs both over a corpus).
    public static func decodeFast(_ bytes: UnsafeRawBufferPointer) -> AuthenticateBody? {
        guard bytes.count <= ProtocolLimits.maxMessageBytes, let object = FlatJSONObject(bytes) else { return nil }
        switch object["v"] {
        case nil, .integer(ProtocolLimits.version)?: break
        default: return nil
        }
        return AuthenticateBody(fields: object)
    }

    /// The fields of an `authenticate` request from a flat object, as the Codable path reads
    /// them; `nil` (fall back) when one is missing, of another type or invalid.
    init?(fields object: FlatJSONObject) {
        guard case .string(let nonceText)? = object["nonce"], let nonce = try? Nonce(nonceText),
              let reader = ClientMessage.readerName(object["reader"]) else { return nil }
        let pin: PagePIN?
        switch object["pin"] {
        case nil, .null?: pin = nil
        case .string(let text)?:
            guard let valid = try? PagePIN(text) else { return nil }
            pin = valid
        default: return nil
        }
        let confirmFinalTry: Bool
        switch object["confirmFinalTry"] {
        case nil, .null?: confirmFinalTry = false
        case .bool(let value)?: confirmFinalTry = value
        default: return nil
        }
        self.init(nonce: nonce, reader: reader, pin: pin, confirmFinalTry: confirmFinalTry)
    }
}
