import PCSC
import SmartCard

/// How a verification on the PIN pad ended, from the status word the reader returns.
///
/// The reader answers with the card's answer to VERIFY, or with a status of its own for what
/// happened on the keypad (PC/SC part 10; the CCID driver maps its slot errors to these).
public enum PINPadOutcome: Sendable, Hashable {
    /// `90 00`: the card accepted the PIN.
    case verified
    /// `63 Cx`: wrong PIN, x tries left (0: that was the last one, the PIN is now blocked).
    case incorrect(triesLeft: Int)
    /// `69 83`: the PIN is blocked.
    case blocked
    /// `64 01`: the person pressed Cancel on the reader.
    case cancelled
    /// `64 00`: nobody typed the PIN in time.
    case timeout
    /// Anything else, e.g. `64 03` (PIN shorter or longer than allowed) or `6B 80` (the reader
    /// rejected the verify structure).
    case otherStatus(StatusWord)

    /// The outcome of a status word.
    public init(status: StatusWord) {
        switch status {
        case .success: self = .verified
        case .authenticationMethodBlocked: self = .blocked
        case Self.cancelledStatus: self = .cancelled
        case Self.timeoutStatus: self = .timeout
        default: self = status.triesLeft.map { .incorrect(triesLeft: $0) } ?? .otherStatus(status)
        }
    }

    /// The outcome of the reader's answer: the card's response data (none for VERIFY) then SW1 SW2.
    /// - Throws: `PINPadError.malformedResponse` for an answer shorter than a status word.
    public init(response: [UInt8]) throws(PINPadError) {
        guard response.count >= 2 else { throw .malformedResponse(response) }
        self.init(status: StatusWord(sw1: response[response.count - 2], sw2: response[response.count - 1]))
    }

    /// `64 00`: the PIN pad operation timed out (part 10).
    public static let timeoutStatus = StatusWord(rawValue: 0x6400)
    /// `64 01`: the PIN pad operation was cancelled with the Cancel key (part 10).
    public static let cancelledStatus = StatusWord(rawValue: 0x6401)
    /// `64 03`: the PIN typed was shorter or longer than the structure allows; nothing was
    /// sent to the card.
    public static let wrongLengthStatus = StatusWord(rawValue: 0x6403)
}

/// Why the PIN pad could not be used. None of these carries a PIN: the computer never sees it.
public enum PINPadError: Error, Hashable, Sendable {
    /// The reader does not announce `FEATURE_VERIFY_PIN_DIRECT`: it has no PIN pad (or its
    /// driver does not expose it).
    case noPINPad
    /// The verify structure cannot be built as configured.
    case invalidRequest(reason: String)
    /// The reader's PIN properties are not a `PIN_PROPERTIES_STRUCTURE`.
    case malformedProperties([UInt8])
    /// The reader answered the verification with fewer than two bytes.
    case malformedResponse([UInt8])
    /// `SCardControl` failed (card removed, reader gone, driver refused the structure...).
    case transport(PCSCError)
}

extension PINPadError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noPINPad: "the reader has no PIN pad (no FEATURE_VERIFY_PIN_DIRECT)"
        case .invalidRequest(let reason): "invalid PIN pad request: \(reason)"
        case .malformedProperties(let bytes): "malformed PIN pad properties: \(bytes.hexString)"
        case .malformedResponse(let bytes): "malformed PIN pad answer: \(bytes.hexString)"
        case .transport(let error): "PIN pad control failed: \(error)"
        }
    }
}
