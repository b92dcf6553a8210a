import BridgeProtocol
import Foundation
import Testing

/// A JSON document compared by value: objects as dictionaries (key order ignored), booleans
/// never equal to numbers, `null` distinct from an absent key.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    init(_ data: Data) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    init(_ text: String) throws {
        try self.init(Data(text.utf8))
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }
}

/// Encodes `value` the daemon's way and checks it is exactly the JSON `expected`.
func expectJSON(_ value: some Encodable, equals expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let actual = try JSONValue(WireJSON.encode(value))
    #expect(actual == (try JSONValue(expected)), sourceLocation: sourceLocation)
}
