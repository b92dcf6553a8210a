/// A reader feature from PC/SC part 10 (`FEATURE_*` in pcsc-lite's `reader.h`), announced by
/// `CM_IOCTL_GET_FEATURE_REQUEST` with the control code that invokes it.
///
/// A reader that lists `.verifyPINDirect` has a PIN pad: the PIN is typed on the reader and
/// never reaches the computer.
public struct ReaderFeature: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `FEATURE_VERIFY_PIN_START`
    public static let verifyPINStart = ReaderFeature(rawValue: 0x01)
    /// `FEATURE_VERIFY_PIN_FINISH`
    public static let verifyPINFinish = ReaderFeature(rawValue: 0x02)
    /// `FEATURE_MODIFY_PIN_START`
    public static let modifyPINStart = ReaderFeature(rawValue: 0x03)
    /// `FEATURE_MODIFY_PIN_FINISH`
    public static let modifyPINFinish = ReaderFeature(rawValue: 0x04)
    /// `FEATURE_GET_KEY_PRESSED`
    public static let getKeyPressed = ReaderFeature(rawValue: 0x05)
    /// `FEATURE_VERIFY_PIN_DIRECT`: PIN verification on the reader's PIN pad.
    public static let verifyPINDirect = ReaderFeature(rawValue: 0x06)
    /// `FEATURE_MODIFY_PIN_DIRECT`
    public static let modifyPINDirect = ReaderFeature(rawValue: 0x07)
    /// `FEATURE_IFD_PIN_PROPERTIES`
    public static let pinProperties = ReaderFeature(rawValue: 0x0A)
    /// `FEATURE_ABORT`
    public static let abort = ReaderFeature(rawValue: 0x0B)
    /// `FEATURE_IFD_DISPLAY_PROPERTIES`
    public static let displayProperties = ReaderFeature(rawValue: 0x11)
    /// `FEATURE_GET_TLV_PROPERTIES`
    public static let tlvProperties = ReaderFeature(rawValue: 0x12)
    /// `FEATURE_CCID_ESC_COMMAND`
    public static let ccidEscapeCommand = ReaderFeature(rawValue: 0x13)
    /// `FEATURE_EXECUTE_PACE`
    public static let executePACE = ReaderFeature(rawValue: 0x20)

    /// `CM_IOCTL_GET_FEATURE_REQUEST`, i.e. `SCARD_CTL_CODE(3400)`.
    public static let getFeatureRequestControlCode: UInt32 = 0x4200_0000 + 3400

    /// Parses the answer to `CM_IOCTL_GET_FEATURE_REQUEST`: a list of `tag, 04, code (4 bytes,
    /// big-endian)`. Malformed trailing bytes are ignored; a duplicate tag keeps the first code.
    public static func parseFeatureList(_ bytes: [UInt8]) -> [ReaderFeature: UInt32] {
        var features: [ReaderFeature: UInt32] = [:]
        var i = 0
        while i + 2 <= bytes.count {
            let tag = bytes[i]
            let length = Int(bytes[i + 1])
            guard i + 2 + length <= bytes.count else { break }
            if length == 4 {
                let code = bytes[(i + 2)..<(i + 6)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                if features[ReaderFeature(rawValue: tag)] == nil { features[ReaderFeature(rawValue: tag)] = code }
            }
            i += 2 + length
        }
        return features
    }
}
