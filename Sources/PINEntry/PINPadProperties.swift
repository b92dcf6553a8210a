/// What a PIN-pad reader says about itself: `FEATURE_IFD_PIN_PROPERTIES` (a fixed 4-byte
/// structure) or `FEATURE_GET_TLV_PROPERTIES` (tag, length, little-endian value), PC/SC part 10.
///
/// Every field is optional: readers announce what they like.
public struct PINPadProperties: Sendable, Hashable {
    /// `wLcdLayout`: 0xXXYY, XX lines and YY characters per line; 0 means no display.
    public var lcdLayout: UInt16?
    /// The entry validation conditions the reader supports (`bEntryValidationCondition`).
    public var entryValidation: PINPadRequest.EntryValidation?
    /// `bTimeOut2`: 0 when the reader does not tell the two timeouts apart.
    public var timeout2: UInt8?
    /// `bMinPINSize` / `bMaxPINSize`: the digits the reader accepts.
    public var minPINSize: UInt8?
    public var maxPINSize: UInt8?
    /// `sFirmwareID`, as the reader spells it.
    public var firmwareID: String?
    /// `wIdVendor` / `wIdProduct`: the USB ids, for bug reports.
    public var vendorID: UInt16?
    public var productID: UInt16?
    /// `dwMaxAPDUDataSize`: 0 for short APDUs only.
    public var maxAPDUDataSize: UInt32?

    public init(lcdLayout: UInt16? = nil, entryValidation: PINPadRequest.EntryValidation? = nil, timeout2: UInt8? = nil,
                minPINSize: UInt8? = nil, maxPINSize: UInt8? = nil, firmwareID: String? = nil,
                vendorID: UInt16? = nil, productID: UInt16? = nil, maxAPDUDataSize: UInt32? = nil) {
        self.lcdLayout = lcdLayout
        self.entryValidation = entryValidation
        self.timeout2 = timeout2
        self.minPINSize = minPINSize
        self.maxPINSize = maxPINSize
        self.firmwareID = firmwareID
        self.vendorID = vendorID
        self.productID = productID
        self.maxAPDUDataSize = maxAPDUDataSize
    }

    /// Whether the reader has a display to show a message on; `nil` when it did not say.
    public var hasDisplay: Bool? { lcdLayout.map { $0 != 0 } }
    /// Lines and characters per line of the display, when it has one.
    public var lcdLines: Int? { lcdLayout.flatMap { $0 == 0 ? nil : Int($0 >> 8) } }
    public var lcdCharactersPerLine: Int? { lcdLayout.flatMap { $0 == 0 ? nil : Int($0 & 0xFF) } }

    /// Parses the answer to `FEATURE_IFD_PIN_PROPERTIES` (`PIN_PROPERTIES_STRUCTURE`:
    /// `wLcdLayout` little-endian, `bEntryValidationCondition`, `bTimeOut2`).
    /// - Throws: `PINPadError.malformedProperties` when it is shorter than 4 bytes.
    public static func parsePINProperties(_ bytes: [UInt8]) throws(PINPadError) -> PINPadProperties {
        guard bytes.count >= 4 else { throw .malformedProperties(bytes) }
        return PINPadProperties(lcdLayout: UInt16(bytes[0]) | UInt16(bytes[1]) << 8,
                                entryValidation: PINPadRequest.EntryValidation(rawValue: bytes[2]),
                                timeout2: bytes[3])
    }

    /// Parses the answer to `FEATURE_GET_TLV_PROPERTIES`: `tag, length, value` with integers
    /// little-endian. Unknown tags are skipped; a value of an unexpected length is ignored;
    /// a truncated last entry ends the list.
    public static func parseTLVProperties(_ bytes: [UInt8]) -> PINPadProperties {
        var properties = PINPadProperties()
        var i = 0
        while i + 2 <= bytes.count {
            let tag = bytes[i]
            let length = Int(bytes[i + 1])
            guard i + 2 + length <= bytes.count else { break }
            let value = Array(bytes[(i + 2)..<(i + 2 + length)])
            i += 2 + length
            let integer = value.count <= 4 ? value.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : nil
            switch (tag, length) {
            case (Tag.lcdLayout, 2): properties.lcdLayout = integer.map { UInt16($0) }
            case (Tag.entryValidationCondition, 1): properties.entryValidation = PINPadRequest.EntryValidation(rawValue: value[0])
            case (Tag.timeout2, 1): properties.timeout2 = value[0]
            case (Tag.minPINSize, 1): properties.minPINSize = value[0]
            case (Tag.maxPINSize, 1): properties.maxPINSize = value[0]
            case (Tag.firmwareID, _): properties.firmwareID = String(decoding: value, as: UTF8.self)
            case (Tag.vendorID, 2): properties.vendorID = integer.map { UInt16($0) }
            case (Tag.productID, 2): properties.productID = integer.map { UInt16($0) }
            case (Tag.maxAPDUDataSize, 4): properties.maxAPDUDataSize = integer
            default: continue
            }
        }
        return properties
    }

    /// The `PCSCv2_PART10_PROPERTY_*` tags of `reader.h`.
    public enum Tag {
        public static let lcdLayout: UInt8 = 1
        public static let entryValidationCondition: UInt8 = 2
        public static let timeout2: UInt8 = 3
        public static let lcdMaxCharacters: UInt8 = 4
        public static let lcdMaxLines: UInt8 = 5
        public static let minPINSize: UInt8 = 6
        public static let maxPINSize: UInt8 = 7
        public static let firmwareID: UInt8 = 8
        public static let ppduSupport: UInt8 = 9
        public static let maxAPDUDataSize: UInt8 = 10
        public static let vendorID: UInt8 = 11
        public static let productID: UInt8 = 12
    }
}
