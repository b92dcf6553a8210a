/// The daemon's messages written with `JSONWriter`: the same bytes as `WireJSON.encode`
/// (keys sorted, slashes unescaped), without the generic Codable path, which was most of the
/// daemon's work per answer (BENCHMARKS.md, "Writing the wire JSON").
///
/// Each writer lists its keys in the encoder's sorted order; a key the Codable form always
/// writes (`encode`, `null` when absent) is always written here, a key it leaves out when
/// absent (`encodeIfPresent`) is left out here too.
extension ServerMessage {
    /// The message as JSON bytes.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// The message as JSON text, ready for a WebSocket text frame. A `status` answer is
    /// spliced from the text kept for the same readers (`StatusTextCache`).
    public func jsonText() -> String {
        if case .status(let id?, let readers) = self { return StatusTextCache.shared.text(id: id, readers: readers) }
        return String(decoding: jsonBytes(), as: UTF8.self)
    }

    /// Writes the message as one JSON object.
    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            switch self {
            case .status(let id, let readers):
                Self.writeID(id, to: &w)
                w.key("readers")
                w.array(readers) { w, reader in reader.write(to: &w) }
            case .event(let event):
                w.key("card")
                CardInfo.write(event.card, to: &w)
                w.key("event")
                w.string(event.event.rawValue)
                w.key("reader")
                w.string(event.reader)
            case .authenticated(let id, let result):
                w.key("holder")
                HolderSummary.write(result.holder, to: &w)
                Self.writeID(id, to: &w)
                w.key("token")
                result.token.write(to: &w)
            case .certificate(let id, let result):
                w.key("certificate")
                w.string(result.certificate)
                w.key("holder")
                HolderSummary.write(result.holder, to: &w)
                Self.writeID(id, to: &w)
            case .error(let id, let payload):
                payload.writeMembers(to: &w, id: id)
            }
            w.key("type")
            w.string(type)
            w.key("v")
            w.int(ProtocolLimits.version)
        }
    }

    /// The `id` member, left out when there is none.
    private static func writeID(_ id: String?, to w: inout JSONWriter) {
        guard let id else { return }
        w.key("id")
        w.string(id)
    }
}

extension ErrorPayload {
    /// Writes the payload's members into an object already open, with the message's `id`
    /// (if any) in its sorted place: `code`, `detail`, `id`, `message`, `readers`, `triesLeft`.
    func writeMembers(to w: inout JSONWriter, id: String?) {
        w.key("code")
        w.string(code.rawValue)
        if let detail {
            w.key("detail")
            w.string(detail)
        }
        if let id {
            w.key("id")
            w.string(id)
        }
        w.key("message")
        w.object { w in
            w.key("en")
            w.string(message.en)
            w.key("fr")
            w.string(message.fr)
        }
        if let readers {
            w.key("readers")
            w.array(readers) { w, name in w.string(name) }
        }
        if let triesLeft {
            w.key("triesLeft")
            w.int(triesLeft)
        }
    }
}

extension ReaderInfo {
    /// Writes `{"card":...,"name":...}`.
    public func write(to w: inout JSONWriter) {
        w.object { w in
            w.key("card")
            CardInfo.write(card, to: &w)
            w.key("name")
            w.string(name)
        }
    }
}

extension CardInfo {
    /// Writes `card`, or `null`.
    static func write(_ card: CardInfo?, to w: inout JSONWriter) {
        guard let card else { return w.null() }
        w.object { w in
            w.key("holder")
            HolderSummary.write(card.holder, to: &w)
            w.key("kind")
            w.string(card.kind.rawValue)
            w.key("pin")
            if let pin = card.pin {
                w.object { w in
                    w.key("maxTries")
                    w.int(pin.maxTries)
                    w.key("state")
                    w.string(pin.state.rawValue)
                    w.key("triesLeft")
                    w.int(pin.triesLeft)
                }
            } else {
                w.null()
            }
        }
    }
}

extension HolderSummary {
    /// Writes `holder` with every key (absent values `null`), or `null`.
    static func write(_ holder: HolderSummary?, to w: inout JSONWriter) {
        guard let holder else { return w.null() }
        w.object { w in
            w.key("familyName")
            w.string(holder.familyName)
            w.key("givenName")
            w.string(holder.givenName)
            w.key("nationalId")
            w.string(holder.nationalId)
            w.key("nationalIdType")
            w.string(holder.nationalIdType)
            w.key("organization")
            w.string(holder.organization)
            w.key("profession")
            w.string(holder.profession)
            w.key("rpps")
            w.string(holder.rpps)
        }
    }
}

extension AuthenticationToken {
    /// Writes the token's five fields.
    public func write(to w: inout JSONWriter) {
        w.object { w in
            w.key("algorithm")
            w.string(algorithm)
            w.key("appVersion")
            w.string(appVersion)
            w.key("format")
            w.string(format)
            w.key("signature")
            w.string(signature)
            w.key("unverifiedCertificate")
            w.string(unverifiedCertificate)
        }
    }
}

extension AuthenticationResult {
    /// The body of a successful `POST /v1/authenticate` as JSON bytes: what `WireJSON.encode`
    /// writes for it (`holder`, `null` when absent, then `token`), by `JSONWriter`.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.object { w in
            w.key("holder")
            HolderSummary.write(holder, to: &w)
            w.key("token")
            token.write(to: &w)
        }
        return writer.bytes
    }
}
