extension Sequence where Element == UInt8 {
    /// Upper-case hex bytes separated by spaces (`3B AC 00`), as card logs show them.
    public var hexString: String {
        map { byte in
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined(separator: " ")
    }

    /// Lower-case hex with no separators (`3bac00`).
    public var compactHex: String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// Parses hex digits, ignoring spaces, colons and new lines; `nil` on anything else or an odd count.
    public init?(hex: String) {
        var out: [UInt8] = []
        var high: UInt8?
        for ch in hex.unicodeScalars {
            if ch == " " || ch == ":" || ch == "\n" || ch == "\t" { continue }
            guard let v = UInt8(String(ch), radix: 16) else { return nil }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        guard high == nil else { return nil }
        self = out
    }
}
