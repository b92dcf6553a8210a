import CPCSCLite

/// A PC/SC return code (`LONG` from `winscard.h`) as a readable value.
///
/// Compare against the named constants; `description` gives the C spelling and the hex
/// value, e.g. `SCARD_E_NO_SERVICE (0x8010001D)`.
public struct PCSCStatus: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }
    init(_ value: some BinaryInteger) { rawValue = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: value)) }

    /// `SCARD_S_SUCCESS`
    public static let success = PCSCStatus(SCARD_S_SUCCESS)
    /// `SCARD_F_INTERNAL_ERROR`
    public static let internalError = PCSCStatus(SCARD_F_INTERNAL_ERROR)
    /// `SCARD_E_CANCELLED`: a wait was cancelled by `SCardCancel`.
    public static let cancelled = PCSCStatus(SCARD_E_CANCELLED)
    /// `SCARD_E_INVALID_HANDLE`
    public static let invalidHandle = PCSCStatus(SCARD_E_INVALID_HANDLE)
    /// `SCARD_E_INVALID_PARAMETER`
    public static let invalidParameter = PCSCStatus(SCARD_E_INVALID_PARAMETER)
    /// `SCARD_E_INVALID_TARGET`
    public static let invalidTarget = PCSCStatus(SCARD_E_INVALID_TARGET)
    /// `SCARD_E_NO_MEMORY`
    public static let noMemory = PCSCStatus(SCARD_E_NO_MEMORY)
    /// `SCARD_F_WAITED_TOO_LONG`
    public static let waitedTooLong = PCSCStatus(SCARD_F_WAITED_TOO_LONG)
    /// `SCARD_E_INSUFFICIENT_BUFFER`
    public static let insufficientBuffer = PCSCStatus(SCARD_E_INSUFFICIENT_BUFFER)
    /// `SCARD_E_UNKNOWN_READER`: no reader of that name (it was unplugged, or never was).
    public static let unknownReader = PCSCStatus(SCARD_E_UNKNOWN_READER)
    /// `SCARD_E_TIMEOUT`: a status-change wait ended without a change.
    public static let timeout = PCSCStatus(SCARD_E_TIMEOUT)
    /// `SCARD_E_SHARING_VIOLATION`: another program holds the card exclusively.
    public static let sharingViolation = PCSCStatus(SCARD_E_SHARING_VIOLATION)
    /// `SCARD_E_NO_SMARTCARD`: the reader is empty.
    public static let noSmartcard = PCSCStatus(SCARD_E_NO_SMARTCARD)
    /// `SCARD_E_UNKNOWN_CARD`
    public static let unknownCard = PCSCStatus(SCARD_E_UNKNOWN_CARD)
    /// `SCARD_E_CANT_DISPOSE`
    public static let cantDispose = PCSCStatus(SCARD_E_CANT_DISPOSE)
    /// `SCARD_E_PROTO_MISMATCH`
    public static let protocolMismatch = PCSCStatus(SCARD_E_PROTO_MISMATCH)
    /// `SCARD_E_NOT_READY`
    public static let notReady = PCSCStatus(SCARD_E_NOT_READY)
    /// `SCARD_E_INVALID_VALUE`
    public static let invalidValue = PCSCStatus(SCARD_E_INVALID_VALUE)
    /// `SCARD_E_SYSTEM_CANCELLED`
    public static let systemCancelled = PCSCStatus(SCARD_E_SYSTEM_CANCELLED)
    /// `SCARD_F_COMM_ERROR`: the link to pcscd broke.
    public static let communicationError = PCSCStatus(SCARD_F_COMM_ERROR)
    /// `SCARD_F_UNKNOWN_ERROR`
    public static let unknownError = PCSCStatus(SCARD_F_UNKNOWN_ERROR)
    /// `SCARD_E_INVALID_ATR`
    public static let invalidATR = PCSCStatus(SCARD_E_INVALID_ATR)
    /// `SCARD_E_NOT_TRANSACTED`
    public static let notTransacted = PCSCStatus(SCARD_E_NOT_TRANSACTED)
    /// `SCARD_E_READER_UNAVAILABLE`: the reader went away.
    public static let readerUnavailable = PCSCStatus(SCARD_E_READER_UNAVAILABLE)
    /// `SCARD_E_PCI_TOO_SMALL`
    public static let pciTooSmall = PCSCStatus(SCARD_E_PCI_TOO_SMALL)
    /// `SCARD_E_READER_UNSUPPORTED`
    public static let readerUnsupported = PCSCStatus(SCARD_E_READER_UNSUPPORTED)
    /// `SCARD_E_DUPLICATE_READER`
    public static let duplicateReader = PCSCStatus(SCARD_E_DUPLICATE_READER)
    /// `SCARD_E_CARD_UNSUPPORTED`
    public static let cardUnsupported = PCSCStatus(SCARD_E_CARD_UNSUPPORTED)
    /// `SCARD_E_NO_SERVICE`: pcscd is not running (or its socket cannot be reached).
    public static let noService = PCSCStatus(SCARD_E_NO_SERVICE)
    /// `SCARD_E_SERVICE_STOPPED`: pcscd stopped while we were connected.
    public static let serviceStopped = PCSCStatus(SCARD_E_SERVICE_STOPPED)
    /// `SCARD_E_UNSUPPORTED_FEATURE`
    public static let unsupportedFeature = PCSCStatus(SCARD_E_UNSUPPORTED_FEATURE)
    /// `SCARD_E_NO_READERS_AVAILABLE`: no reader is plugged.
    public static let noReadersAvailable = PCSCStatus(SCARD_E_NO_READERS_AVAILABLE)
    /// `SCARD_E_NO_ACCESS`: pcscd refused us (polkit or permissions).
    public static let noAccess = PCSCStatus(SCARD_E_NO_ACCESS)
    /// `SCARD_W_UNSUPPORTED_CARD`
    public static let unsupportedCardWarning = PCSCStatus(SCARD_W_UNSUPPORTED_CARD)
    /// `SCARD_W_UNRESPONSIVE_CARD`: the card does not answer reset.
    public static let unresponsiveCard = PCSCStatus(SCARD_W_UNRESPONSIVE_CARD)
    /// `SCARD_W_UNPOWERED_CARD`
    public static let unpoweredCard = PCSCStatus(SCARD_W_UNPOWERED_CARD)
    /// `SCARD_W_RESET_CARD`: someone reset the card; reconnect.
    public static let resetCard = PCSCStatus(SCARD_W_RESET_CARD)
    /// `SCARD_W_REMOVED_CARD`: the card was pulled.
    public static let removedCard = PCSCStatus(SCARD_W_REMOVED_CARD)

    private static let names: [PCSCStatus: String] = [
        .success: "SCARD_S_SUCCESS", .internalError: "SCARD_F_INTERNAL_ERROR",
        .cancelled: "SCARD_E_CANCELLED", .invalidHandle: "SCARD_E_INVALID_HANDLE",
        .invalidParameter: "SCARD_E_INVALID_PARAMETER", .invalidTarget: "SCARD_E_INVALID_TARGET",
        .noMemory: "SCARD_E_NO_MEMORY", .waitedTooLong: "SCARD_F_WAITED_TOO_LONG",
        .insufficientBuffer: "SCARD_E_INSUFFICIENT_BUFFER", .unknownReader: "SCARD_E_UNKNOWN_READER",
        .timeout: "SCARD_E_TIMEOUT", .sharingViolation: "SCARD_E_SHARING_VIOLATION",
        .noSmartcard: "SCARD_E_NO_SMARTCARD", .unknownCard: "SCARD_E_UNKNOWN_CARD",
        .cantDispose: "SCARD_E_CANT_DISPOSE", .protocolMismatch: "SCARD_E_PROTO_MISMATCH",
        .notReady: "SCARD_E_NOT_READY", .invalidValue: "SCARD_E_INVALID_VALUE",
        .systemCancelled: "SCARD_E_SYSTEM_CANCELLED", .communicationError: "SCARD_F_COMM_ERROR",
        .unknownError: "SCARD_F_UNKNOWN_ERROR", .invalidATR: "SCARD_E_INVALID_ATR",
        .notTransacted: "SCARD_E_NOT_TRANSACTED", .readerUnavailable: "SCARD_E_READER_UNAVAILABLE",
        .pciTooSmall: "SCARD_E_PCI_TOO_SMALL", .readerUnsupported: "SCARD_E_READER_UNSUPPORTED",
        .duplicateReader: "SCARD_E_DUPLICATE_READER", .cardUnsupported: "SCARD_E_CARD_UNSUPPORTED",
        .noService: "SCARD_E_NO_SERVICE", .serviceStopped: "SCARD_E_SERVICE_STOPPED",
        .unsupportedFeature: "SCARD_E_UNSUPPORTED_FEATURE",
        .noReadersAvailable: "SCARD_E_NO_READERS_AVAILABLE", .noAccess: "SCARD_E_NO_ACCESS",
        .unsupportedCardWarning: "SCARD_W_UNSUPPORTED_CARD", .unresponsiveCard: "SCARD_W_UNRESPONSIVE_CARD",
        .unpoweredCard: "SCARD_W_UNPOWERED_CARD", .resetCard: "SCARD_W_RESET_CARD",
        .removedCard: "SCARD_W_REMOVED_CARD",
    ]

    /// The C name, e.g. `SCARD_E_NO_SERVICE`, or `nil` for a code pcsc-lite does not define.
    public var name: String? { Self.names[self] }

    /// Whether the code says pcscd itself is gone (stopped, never started, or the link broke):
    /// the caller must establish a new context.
    public var meansServiceGone: Bool {
        self == .noService || self == .serviceStopped || self == .communicationError
    }

    /// Whether the code says the card left or was reset under us.
    public var meansCardGone: Bool {
        self == .removedCard || self == .noSmartcard || self == .resetCard
            || self == .readerUnavailable || self == .unknownReader
    }
}

extension PCSCStatus: CustomStringConvertible {
    public var description: String {
        let hex = "0x" + String(UInt32(truncatingIfNeeded: rawValue), radix: 16, uppercase: true)
        return "\(name ?? "SCARD_?") (\(hex))"
    }
}
