/// A BER-TLV data object (ISO 7816-4, 5.2): a tag of one to three bytes, a definite length
/// and a value that, for constructed tags, is itself a sequence of objects.
public struct BERTLV: Hashable, Sendable {
    /// The tag bytes as one number (`0x5F2D`, `0xBF8101`).
    public var tag: UInt32
    public var value: [UInt8]

    public init(tag: UInt32, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// A constructed object holding `children`.
    public init(tag: UInt32, children: [BERTLV]) {
        self.init(tag: tag, value: children.flatMap(\.bytes))
    }

    /// Whether the tag says the value is made of objects (bit 6 of the first tag byte).
    public var isConstructed: Bool { tagBytes[0] & 0x20 != 0 }

    /// The tag's wire bytes.
    public var tagBytes: [UInt8] {
        if tag > 0xFFFF { return [UInt8(tag >> 16), UInt8((tag >> 8) & 0xFF), UInt8(tag & 0xFF)] }
        if tag > 0xFF { return [UInt8(tag >> 8), UInt8(tag & 0xFF)] }
        return [UInt8(tag)]
    }

    /// The encoded object.
    public var bytes: [UInt8] { tagBytes + BERTLV.encodeLength(value.count) + value }

    /// The children of a constructed object (empty when the value does not parse).
    public var children: [BERTLV] { (try? BERTLV.parseAll(value)) ?? [] }

    /// The first child with `tag`, searching this object's children only.
    public func child(_ tag: UInt32) -> BERTLV? { children.first { $0.tag == tag } }

    /// The first object with `tag` in this object or below it, depth first.
    public func find(_ tag: UInt32) -> BERTLV? {
        if self.tag == tag { return self }
        guard isConstructed else { return nil }
        for child in children {
            if let found = child.find(tag) { return found }
        }
        return nil
    }

    /// The definite-length encoding of `length`.
    public static func encodeLength(_ length: Int) -> [UInt8] {
        switch length {
        case ..<0x80: return [UInt8(length)]
        case ..<0x100: return [0x81, UInt8(length)]
        case ..<0x10000: return [0x82, UInt8(length >> 8), UInt8(length & 0xFF)]
        default: return [0x83, UInt8(length >> 16), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        }
    }

    /// Parses one object at the start of `bytes`; returns it and how many bytes it took.
    public static func parse(_ bytes: some Collection<UInt8>) throws(TLVError) -> (BERTLV, Int) {
        let b = Array(bytes)
        var i = 0
        guard i < b.count else { throw .truncated }
        var tag = UInt32(b[i])
        i += 1
        if b[i - 1] & 0x1F == 0x1F {
            // Subsequent tag bytes while bit 8 is set; we accept up to three tag bytes.
            repeat {
                guard i < b.count, i < 3 else { throw .truncated }
                tag = tag << 8 | UInt32(b[i])
                i += 1
            } while b[i - 1] & 0x80 != 0
        }
        guard i < b.count else { throw .truncated }
        var length = Int(b[i])
        i += 1
        if length == 0x80 { throw .indefiniteLength }
        if length > 0x80 {
            let n = length & 0x7F
            guard n <= 3, i + n <= b.count else { throw .truncated }
            length = 0
            for _ in 0..<n { length = length << 8 | Int(b[i]); i += 1 }
        }
        guard i + length <= b.count else { throw .truncated }
        return (BERTLV(tag: tag, value: Array(b[i..<(i + length)])), i + length)
    }

    /// Parses a whole sequence of objects; `00`/`FF` padding between objects is skipped.
    public static func parseAll(_ bytes: some Collection<UInt8>) throws(TLVError) -> [BERTLV] {
        var rest = Array(bytes)[...]
        var out: [BERTLV] = []
        while let first = rest.first {
            if first == 0x00 || first == 0xFF { rest = rest.dropFirst(); continue }
            let (object, used) = try parse(rest)
            out.append(object)
            rest = rest.dropFirst(used)
        }
        return out
    }
}

/// Why bytes are not BER-TLV.
public enum TLVError: Error, Hashable, Sendable {
    case truncated
    case indefiniteLength
}
