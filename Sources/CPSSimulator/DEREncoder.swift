import SmartCard

/// Tiny DER encoders for the PKCS#15 and IAS-ECC structures the card serves.
/// Values only: each function returns one encoded object.
enum DEREncoder {
    static func sequence(_ children: [UInt8]...) -> [UInt8] { tagged(0x30, children.flatMap { $0 }) }
    static func tagged(_ tag: UInt32, _ value: [UInt8]) -> [UInt8] { BERTLV(tag: tag, value: value).bytes }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tagged(0x04, bytes) }
    static func utf8String(_ text: String) -> [UInt8] { tagged(0x0C, Array(text.utf8)) }
    static func boolean(_ value: Bool) -> [UInt8] { tagged(0x01, [value ? 0xFF : 0x00]) }
    static let null: [UInt8] = [0x05, 0x00]

    /// A non-negative INTEGER in its shortest two's-complement form.
    static func integer(_ value: Int, tag: UInt32 = 0x02) -> [UInt8] {
        precondition(value >= 0)
        var bytes: [UInt8] = []
        var v = value
        repeat { bytes.insert(UInt8(v & 0xFF), at: 0); v >>= 8 } while v > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tagged(tag, bytes)
    }

    /// An ENUMERATED value.
    static func enumerated(_ value: Int) -> [UInt8] { integer(value, tag: 0x0A) }

    /// A named BIT STRING with the given bit numbers set (bit 0 is the first, most significant bit).
    static func bits(_ set: [Int]) -> [UInt8] {
        guard let highest = set.max() else { return tagged(0x03, [0x00]) }
        var octets = [UInt8](repeating: 0, count: highest / 8 + 1)
        for bit in set { octets[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        let unused = UInt8(7 - highest % 8)
        return tagged(0x03, [unused] + octets)
    }

    /// A PKCS#15 Path: `SEQUENCE { OCTET STRING }`.
    static func path(_ fids: [UInt16]) -> [UInt8] {
        sequence(octetString(fids.flatMap(\.bigEndianBytes)))
    }
}
