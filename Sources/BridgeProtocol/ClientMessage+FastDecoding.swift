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
            guard case .string(let nonceText)? = object["nonce"], let nonce = try? Nonce(nonceText),
                  let reader = readerName(object["reader"]) else { return nil }
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
            return .authenticate(id: id, AuthenticateBody(nonce: nonce, reader: reader, pin: pin, confirmFinalTry: confirmFinalTry))
        default:
            return nil
        }
    }

    /// An optional reader name as `decodeReaderName` reads it: `.some(nil)` when absent or
    /// `null`, `.some(name)` when valid, `nil` (fall back) otherwise.
    private static func readerName(_ value: FlatJSONObject.Value?) -> String?? {
        switch value {
        case nil, .null?: return .some(nil)
        case .string(let name)?: return AuthenticateBody.isValidReaderName(name) ? .some(name) : nil
        default: return nil
        }
    }
}
