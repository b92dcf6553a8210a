/// A JSON object whose members are all plain scalars, read straight from its bytes: the
/// shape of every request a page normally sends (`{"v":1,"type":"status","id":"9"}`).
///
/// It reads only the simple case and gives up (`nil`) on anything else: a nested object or
/// array, a string with an escape or a raw control character, a key that is not ASCII, a
/// repeated key, a number that is not a plain non-negative integer of at most 18 digits, more
/// than `maxMembers` members, text that is not UTF-8 or not JSON. The caller then decodes the
/// message with `JSONDecoder` as before, which gives the answer or the precise error; so
/// nothing this type accepts may mean anything else to `JSONDecoder`.
struct FlatJSONObject {
    /// A member's value.
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
    }

    /// The most members read; a longer object is left to `JSONDecoder`.
    static let maxMembers = 16

    private var members: [(key: String, value: Value)] = []

    /// The value of `key`, or `nil` when the object has no such member.
    subscript(key: String) -> Value? {
        members.first { $0.key == key }?.value
    }

    /// Reads `bytes` as one flat object, or `nil` when they are anything else.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        reader.skipWhitespace()
        if !reader.take(UInt8(ascii: "}")) {
            while true {
                guard let (key, ascii) = reader.string(), ascii else { return nil }
                reader.skipWhitespace()
                guard reader.take(UInt8(ascii: ":")) else { return nil }
                reader.skipWhitespace()
                guard let value = reader.value(), members.count < Self.maxMembers,
                      !members.contains(where: { $0.key == key }) else { return nil }
                members.append((key, value))
                reader.skipWhitespace()
                if reader.take(UInt8(ascii: "}")) { break }
                guard reader.take(UInt8(ascii: ",")) else { return nil }
                reader.skipWhitespace()
            }
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { return nil }
    }

    /// A cursor over the bytes.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var isAtEnd: Bool { index == bytes.count }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Consumes `byte` if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Consumes `word` (`true`, `false`, `null`) if it is next.
        mutating func take(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            let matches = word.withUTF8Buffer { $0.elementsEqual(bytes[index..<index + count]) }
            if matches { index += count }
            return matches
        }

        /// A string without escapes or control characters, and whether it is all ASCII.
        mutating func string() -> (String, Bool)? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    if ascii { return (String(decoding: text, as: UTF8.self), true) }
                    guard let valid = String(validating: text, as: UTF8.self) else { return nil }
                    return (valid, false)
                }
                guard byte >= 0x20, byte != UInt8(ascii: "\\") else { return nil }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            return nil
        }

        /// A scalar value.
        mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map { .string($0.0) }
            case UInt8(ascii: "t"): return take("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return take("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return take("null") ? .null : nil
            case UInt8(ascii: "0"):
                index += 1
                return isDigitNext ? nil : .integer(0)
            case UInt8(ascii: "1")...UInt8(ascii: "9"): return integer()
            default: return nil
            }
        }

        /// 1 to 18 digits, the first not zero, followed by no fraction or exponent.
        private mutating func integer() -> Value? {
            var value = 0
            var digits = 0
            while isDigitNext {
                digits += 1
                guard digits <= 18 else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            return .integer(value)
        }

        private var isDigitNext: Bool {
            index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        }
    }
}
