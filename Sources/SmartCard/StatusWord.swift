/// The status word SW1 SW2 that ends every response APDU (ISO 7816-4, 5.1.3).
public struct StatusWord: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(sw1: UInt8, sw2: UInt8) { rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }

    /// `90 00`
    public static let success = StatusWord(rawValue: 0x9000)
    /// `62 82`: end of file reached before Ne bytes were read.
    public static let endOfFileReached = StatusWord(rawValue: 0x6282)
    /// `63 Cx`: verification failed, x tries left.
    public static func verificationFailed(triesLeft: Int) -> StatusWord {
        StatusWord(rawValue: 0x63C0 | UInt16(min(max(triesLeft, 0), 15)))
    }
    /// `64 00`: execution error, state of non-volatile memory unchanged.
    public static let executionError = StatusWord(rawValue: 0x6400)
    /// `65 81`: memory failure.
    public static let memoryFailure = StatusWord(rawValue: 0x6581)
    /// `67 00`: wrong length (Lc or Le).
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    /// `68 81`: logical channel not supported.
    public static let logicalChannelNotSupported = StatusWord(rawValue: 0x6881)
    /// `68 82`: secure messaging not supported.
    public static let secureMessagingNotSupported = StatusWord(rawValue: 0x6882)
    /// `68 84`: command chaining not supported.
    public static let chainingNotSupported = StatusWord(rawValue: 0x6884)
    /// `69 81`: command incompatible with file structure.
    public static let incompatibleFileStructure = StatusWord(rawValue: 0x6981)
    /// `69 82`: security status not satisfied.
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    /// `69 83`: authentication method blocked (PIN blocked).
    public static let authenticationMethodBlocked = StatusWord(rawValue: 0x6983)
    /// `69 84`: reference data not usable.
    public static let referenceDataNotUsable = StatusWord(rawValue: 0x6984)
    /// `69 85`: conditions of use not satisfied.
    public static let conditionsOfUseNotSatisfied = StatusWord(rawValue: 0x6985)
    /// `69 86`: command not allowed (no current EF).
    public static let commandNotAllowed = StatusWord(rawValue: 0x6986)
    /// `6A 80`: incorrect parameters in the data field.
    public static let incorrectData = StatusWord(rawValue: 0x6A80)
    /// `6A 81`: function not supported.
    public static let functionNotSupported = StatusWord(rawValue: 0x6A81)
    /// `6A 82`: file or application not found.
    public static let fileNotFound = StatusWord(rawValue: 0x6A82)
    /// `6A 86`: incorrect parameters P1-P2.
    public static let incorrectP1P2 = StatusWord(rawValue: 0x6A86)
    /// `6A 87`: Nc inconsistent with P1-P2.
    public static let lengthInconsistentWithP1P2 = StatusWord(rawValue: 0x6A87)
    /// `6A 88`: referenced data not found.
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    /// `6B 00`: wrong parameters P1-P2 (offset outside the EF).
    public static let wrongParameters = StatusWord(rawValue: 0x6B00)
    /// `6D 00`: instruction code not supported.
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    /// `6E 00`: class not supported.
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    /// `6F 00`: no precise diagnosis.
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)

    /// `61 xx`: xx more bytes are available with GET RESPONSE.
    public static func bytesRemaining(_ count: Int) -> StatusWord {
        StatusWord(rawValue: 0x6100 | UInt16(count >= 256 ? 0 : count))
    }
    /// `6C xx`: wrong Le, xx is the exact length.
    public static func wrongLe(exact: Int) -> StatusWord {
        StatusWord(rawValue: 0x6C00 | UInt16(exact >= 256 ? 0 : exact))
    }

    public var isSuccess: Bool { self == .success }

    /// The tries left when this is `63 Cx`, else `nil`.
    public var triesLeft: Int? { rawValue & 0xFFF0 == 0x63C0 ? Int(rawValue & 0x000F) : nil }
}

extension StatusWord: CustomStringConvertible {
    public var description: String { [sw1, sw2].hexString }
}
