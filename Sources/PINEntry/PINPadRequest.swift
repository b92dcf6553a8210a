import SmartCard

/// A PIN verification on the reader's PIN pad: the PC/SC part 10 `PIN_VERIFY_STRUCTURE` sent
/// with `FEATURE_VERIFY_PIN_DIRECT` (pcsc-lite's `reader.h`; the CCID `PC_to_RDR_Secure`
/// PIN verification data structure with `ulDataLength` added).
///
/// It carries no PIN: it tells the reader how to put the digits the person types into the
/// VERIFY APDU template, which the reader then sends to the card itself.
///
/// Layout (19 bytes, then the APDU template; multi-byte fields little-endian):
/// ```
///  0     bTimerOut                  seconds to wait for the PIN, 0 = the reader's default
///  1     bTimerOut2                 seconds after the first key, 0 = the reader's default
///  2     bmFormatString             b7 units (1 = bytes), b6-3 PIN position, b2 right-justify, b1-0 format
///  3     bmPINBlockString           b7-4 PIN length field size in bits, b3-0 PIN block size in bytes
///  4     bmPINLengthFormat          b4 units (1 = bytes), b3-0 PIN length field position
///  5-6   wPINMaxExtraDigit          0xXXYY: XX minimum, YY maximum digits
///  7     bEntryValidationCondition  b0 max size reached, b1 validation key, b2 timeout
///  8     bNumberMessage             0 none, 1 one message, FF the reader's default
///  9-10  wLangId                    language of the messages (0x040C French)
///  11    bMsgIndex                  0 = "enter the PIN"
///  12-14 bTeoPrologue               T=1 prologue, zeros (the driver fills it)
///  15-18 ulDataLength               length of abData
///  19-   abData                     the VERIFY APDU template
/// ```
public struct PINPadRequest: Sendable, Hashable {
    /// How each digit is encoded in the PIN block (`bmFormatString` bits 1-0).
    public enum PINFormat: UInt8, Sendable, Hashable {
        case binary = 0
        case bcd = 1
        case ascii = 2
    }

    /// When the reader considers the PIN entered (`bEntryValidationCondition`).
    public struct EntryValidation: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The maximum number of digits was typed.
        public static let maxSizeReached = EntryValidation(rawValue: 0x01)
        /// The person pressed the validation (OK) key.
        public static let validationKeyPressed = EntryValidation(rawValue: 0x02)
        /// The timeout expired.
        public static let timeout = EntryValidation(rawValue: 0x04)
    }

    /// What the reader shows while the PIN is typed (`bNumberMessage`).
    public enum Messages: UInt8, Sendable, Hashable {
        /// No message (readers without a display).
        case none = 0x00
        /// One message, `messageIndex` in `languageID`.
        case one = 0x01
        /// The reader's own default message.
        case readerDefault = 0xFF
    }

    /// Seconds to wait for the PIN (`bTimerOut`); 0 lets the reader choose.
    public var timeoutSeconds: UInt8
    /// Seconds allowed after the first key (`bTimerOut2`); 0 lets the reader choose.
    public var timeoutAfterFirstKeySeconds: UInt8
    public var format: PINFormat
    /// Where the PIN block starts in the APDU data, in bytes (0-15).
    public var pinPosition: UInt8
    public var rightJustified: Bool
    /// The PIN block's size in bytes after justification and formatting (0-15).
    public var pinBlockSize: UInt8
    /// Size in bits of a PIN length field the reader writes into the APDU (0 = none, 0-15).
    public var pinLengthFieldBits: UInt8
    /// Where that PIN length field goes, in bits from the start of the APDU data (0-15).
    public var pinLengthFieldPosition: UInt8
    public var minDigits: UInt8
    public var maxDigits: UInt8
    public var entryValidation: EntryValidation
    public var messages: Messages
    /// A Windows language identifier (`wLangId`), e.g. 0x040C for French (France).
    public var languageID: UInt16
    /// `bMsgIndex`: 0 is the "enter your PIN" message.
    public var messageIndex: UInt8
    /// The APDU the reader sends, with the PIN block's place filled with padding.
    public var apduTemplate: CommandAPDU

    public init(timeoutSeconds: UInt8, timeoutAfterFirstKeySeconds: UInt8 = 0, format: PINFormat,
                pinPosition: UInt8 = 0, rightJustified: Bool = false, pinBlockSize: UInt8,
                pinLengthFieldBits: UInt8 = 0, pinLengthFieldPosition: UInt8 = 0,
                minDigits: UInt8, maxDigits: UInt8, entryValidation: EntryValidation = .validationKeyPressed,
                messages: Messages = .one, languageID: UInt16 = PINPadRequest.french, messageIndex: UInt8 = 0,
                apduTemplate: CommandAPDU) {
        self.timeoutSeconds = timeoutSeconds
        self.timeoutAfterFirstKeySeconds = timeoutAfterFirstKeySeconds
        self.format = format
        self.pinPosition = pinPosition
        self.rightJustified = rightJustified
        self.pinBlockSize = pinBlockSize
        self.pinLengthFieldBits = pinLengthFieldBits
        self.pinLengthFieldPosition = pinLengthFieldPosition
        self.minDigits = minDigits
        self.maxDigits = maxDigits
        self.entryValidation = entryValidation
        self.messages = messages
        self.languageID = languageID
        self.messageIndex = messageIndex
        self.apduTemplate = apduTemplate
    }

    /// `wLangId` for French (France).
    public static let french: UInt16 = 0x040C
    /// The timeout used when the caller names none.
    public static let defaultTimeoutSeconds: UInt8 = 30

    /// The structure's bytes, as `SCardControl` takes them for `FEATURE_VERIFY_PIN_DIRECT`.
    /// - Throws: `PINPadError.invalidRequest` when a field does not fit its bits or the PIN
    ///   block does not fit in the APDU's data.
    public func encoded() throws(PINPadError) -> [UInt8] {
        try validate()
        let apdu = apduTemplate.bytes
        var bytes: [UInt8] = []
        bytes.reserveCapacity(19 + apdu.count)
        bytes.append(timeoutSeconds)
        bytes.append(timeoutAfterFirstKeySeconds)
        bytes.append(0x80 | pinPosition << 3 | (rightJustified ? 0x04 : 0) | format.rawValue)
        bytes.append(pinLengthFieldBits << 4 | pinBlockSize)
        bytes.append(pinLengthFieldPosition) // b4 = 0: the length position is in bits
        bytes += Self.littleEndian(UInt16(minDigits) << 8 | UInt16(maxDigits))
        bytes.append(entryValidation.rawValue)
        bytes.append(messages.rawValue)
        bytes += Self.littleEndian(languageID)
        bytes.append(messageIndex)
        bytes += [0x00, 0x00, 0x00]
        bytes += Self.littleEndian(UInt32(apdu.count))
        bytes += apdu
        return bytes
    }

    private func validate() throws(PINPadError) {
        func fail(_ reason: String) -> PINPadError { .invalidRequest(reason: reason) }
        guard pinPosition <= 0x0F else { throw fail("PIN position \(pinPosition) does not fit in 4 bits") }
        guard pinBlockSize <= 0x0F else { throw fail("PIN block size \(pinBlockSize) does not fit in 4 bits") }
        guard pinLengthFieldBits <= 0x0F else { throw fail("PIN length field size \(pinLengthFieldBits) does not fit in 4 bits") }
        guard pinLengthFieldPosition <= 0x0F else { throw fail("PIN length position \(pinLengthFieldPosition) does not fit in 4 bits") }
        guard minDigits >= 1, minDigits <= maxDigits else { throw fail("PIN length range \(minDigits)...\(maxDigits) is empty") }
        guard !entryValidation.isEmpty, entryValidation.rawValue <= 0x07 else {
            throw fail("entry validation condition \(entryValidation.rawValue) is not one of 1...7")
        }
        guard Int(pinPosition) + Int(pinBlockSize) <= apduTemplate.data.count else {
            throw fail("the PIN block (\(pinBlockSize) bytes at \(pinPosition)) does not fit in the APDU's \(apduTemplate.data.count) data bytes")
        }
        let digitsPerBlock = format == .bcd ? Int(pinBlockSize) * 2 : Int(pinBlockSize)
        guard pinBlockSize == 0 || Int(maxDigits) <= digitsPerBlock else {
            throw fail("\(maxDigits) digits do not fit in a \(pinBlockSize)-byte block")
        }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
