#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ProtocolError {
    /// The precise reason for a `DecodingError` from `JSONDecoder`.
    init(_ error: DecodingError, id: String? = nil) {
        let reason: Reason
        switch error {
        case .keyNotFound(let key, let context):
            reason = .missingField(Self.path(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            reason = context.codingPath.isEmpty
                ? .notAnObject
                : .wrongType(field: Self.path(context.codingPath), expected: Self.jsonTypeName(type))
        case .valueNotFound(_, let context):
            reason = context.codingPath.isEmpty ? .notAnObject : .nullField(Self.path(context.codingPath))
        case .dataCorrupted(let context):
            reason = context.codingPath.isEmpty
                ? .notJSON
                : .invalidValue(field: Self.path(context.codingPath), why: "is invalid")
        @unknown default:
            reason = .notJSON
        }
        self.init(reason, id: id)
    }

    /// Runs `body`, turning whatever it throws into a `ProtocolError` that carries `id`.
    static func mapping<T>(id: String?, _ body: () throws -> T) throws(ProtocolError) -> T {
        do {
            return try body()
        } catch var error as ProtocolError {
            if error.id == nil { error.id = id }
            throw error
        } catch let error as DecodingError {
            throw ProtocolError(error, id: id)
        } catch {
            throw ProtocolError(.notJSON, id: id)
        }
    }

    /// Decodes a whole message, bounded by `ProtocolLimits.maxMessageBytes`.
    static func decodeMessage<T: Decodable>(_ type: T.Type, from data: Data) throws(ProtocolError) -> T {
        guard data.count <= ProtocolLimits.maxMessageBytes else {
            throw ProtocolError(.messageTooLarge(limit: ProtocolLimits.maxMessageBytes))
        }
        // A top-level scalar or array is "not an object", whatever the type would say.
        guard let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw ProtocolError(.notJSON)
        }
        if first != UInt8(ascii: "{") {
            guard (try? JSONDecoder().decode(AnyJSONValue.self, from: data)) != nil else {
                throw ProtocolError(.notJSON)
            }
            throw ProtocolError(.notAnObject)
        }
        return try mapping(id: nil) { try JSONDecoder().decode(T.self, from: data) }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            .joined(separator: ".")
            .replacing(".[", with: "[")
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean (true or false)"
        case is Int.Type: "an integer"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

/// Any JSON value, read and dropped: tells well-formed JSON that is not an object from text
/// that is not JSON at all (the scanner bounds the nesting depth).
private struct AnyJSONValue: Decodable {
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            while !array.isAtEnd { _ = try array.decode(AnyJSONValue.self) }
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            for key in object.allKeys { _ = try object.decode(AnyJSONValue.self, forKey: key) }
        } else {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() || (try? value.decode(Bool.self)) != nil || (try? value.decode(Double.self)) != nil { return }
            _ = try value.decode(String.self)
        }
    }
}
