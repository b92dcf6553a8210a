/// Writes JSON text as UTF-8 bytes, directly, without Codable: the daemon's messages are
/// written through it on every answer and event (`ServerMessage.jsonBytes()`).
///
/// The output is the text `WireJSON.encode` writes for the same values, byte for byte
/// (a test compares them over every message kind): no whitespace, object keys in the
/// encoder's sorted order, slashes left unescaped, and in strings only `"`, `\` and the
/// control characters U+0000 to U+001F escaped (`\b \f \n \r \t`, the others as `\u00XX`).
/// Keys are written in the order the caller gives them: each type's writer lists its keys
/// already sorted, so nothing is sorted at run time.
public struct JSONWriter: Sendable {
    /// The text written so far.
    public private(set) var bytes: [UInt8]
    /// Whether the innermost object or array has no member yet (no comma before the next).
    private var atStart = true

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers

    /// Writes an object whose members `body` writes, each as `key(_:)` then a value.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        atStart = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    /// Writes a member's key (and the comma before it if needed). `name` is plain ASCII
    /// needing no escape: the protocol's own field names.
    public mutating func key(_ name: StaticString) {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        atStart = false
    }

    /// Writes an array of `elements`, each written by `element`.
    public mutating func array<C: Collection>(_ elements: C, _ element: (inout JSONWriter, C.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
        atStart = false
    }

    /// Appends `text`, already JSON (a piece of another writer's output), as it is.
    mutating func raw(_ text: [UInt8]) {
        bytes.append(contentsOf: text)
    }

    // MARK: Scalars

    /// Writes `null`.
    public mutating func null() {
        bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        if value {
            bytes.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            bytes.append(contentsOf: [UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e")])
        }
    }

    /// Writes an integer in decimal, as the encoder does.
    public mutating func int(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `value`, or `null` when it is absent.
    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    /// Writes a string, escaped.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `value`, or `null` when it is absent.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// Appends `utf8` with the characters JSON requires escaped written as escapes, copying the runs
    /// between them whole. The runs are found eight bytes at a time (`mayNeedEscape`): a
    /// token's certificate and signature, 2 to 3 KB of base64, have nothing to escape.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let base = utf8.baseAddress else { return }
        var runStart = 0
        var index = 0
        while index < utf8.count {
            if utf8.count &- index >= 8,
               !Self.mayNeedEscape(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index &+= 8
                continue
            }
            let byte = utf8[index]
            index &+= 1
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index - 1 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index - 1])) }
            runStart = index
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Whether one of the eight bytes of `word` is below 0x20, `"` or a backslash: the classic
    /// "has a byte less than n" and "has a zero byte" tests, exact for whether any exists.
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        return (control | ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs)) != 0
    }
}
