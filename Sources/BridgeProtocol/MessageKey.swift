/// The envelope of every WebSocket message: `v`, `type` and, for requests and their answers,
/// `id`.
enum MessageKey: String, CodingKey {
    case v, type, id
}

extension KeyedDecodingContainer where Key == MessageKey {
    /// Checks `v` is present, an integer, and `ProtocolLimits.version`.
    func checkVersion() throws {
        guard contains(.v) else { throw ProtocolError(.missingField("v")) }
        let v: Int
        do {
            v = try decode(Int.self, forKey: .v)
        } catch {
            // JSONDecoder reports a number with a fraction, asked as an Int, as "not valid JSON".
            guard (try? decode(Double.self, forKey: .v)) != nil else { throw error }
            throw ProtocolError(.wrongType(field: "v", expected: "an integer"))
        }
        guard v == ProtocolLimits.version else { throw ProtocolError(.unsupportedVersion(v)) }
    }

    /// The message's `type`.
    func decodeType() throws -> String {
        try decode(String.self, forKey: .type)
    }

    /// A required request `id`: 1 to `ProtocolLimits.maxIDLength` printable ASCII characters.
    func decodeID() throws -> String {
        let id = try decode(String.self, forKey: .id)
        guard Self.isValidID(id) else {
            throw ProtocolError(.invalidValue(
                field: "id", why: "must be 1 to \(ProtocolLimits.maxIDLength) printable ASCII characters"))
        }
        return id
    }

    /// The `id` if it can be read and is valid, for an error answer's context; never throws.
    func peekID() -> String? {
        guard let id = try? decodeIfPresent(String.self, forKey: .id), Self.isValidID(id) else { return nil }
        return id
    }

    static func isValidID(_ id: String) -> Bool {
        (1...ProtocolLimits.maxIDLength).contains(id.utf8.count)
            && id.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }
    }
}
