import CPCSCLite

/// The state bits of a reader (`SCARD_STATE_*`), as `SCardGetStatusChange` reports them.
public struct ReaderStateFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SCARD_STATE_IGNORE`
    public static let ignore = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_IGNORE))
    /// `SCARD_STATE_CHANGED`: differs from the state the caller passed in.
    public static let changed = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_CHANGED))
    /// `SCARD_STATE_UNKNOWN`: no reader of that name.
    public static let unknown = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_UNKNOWN))
    /// `SCARD_STATE_UNAVAILABLE`
    public static let unavailable = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_UNAVAILABLE))
    /// `SCARD_STATE_EMPTY`: no card.
    public static let empty = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_EMPTY))
    /// `SCARD_STATE_PRESENT`: a card is in the reader.
    public static let present = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_PRESENT))
    /// `SCARD_STATE_ATRMATCH`
    public static let atrMatch = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_ATRMATCH))
    /// `SCARD_STATE_EXCLUSIVE`: another program holds the card exclusively.
    public static let exclusive = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_EXCLUSIVE))
    /// `SCARD_STATE_INUSE`
    public static let inUse = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_INUSE))
    /// `SCARD_STATE_MUTE`: the card does not answer reset.
    public static let mute = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_MUTE))
    /// `SCARD_STATE_UNPOWERED`
    public static let unpowered = ReaderStateFlags(rawValue: UInt32(SCARD_STATE_UNPOWERED))
}

/// One entry of a status-change wait: which reader, what the caller believes, what pcscd says.
public struct ReaderState: Hashable, Sendable {
    /// The pseudo-reader whose state changes whenever a reader is plugged or unplugged.
    public static let plugAndPlayReader = "\\\\?PnP?\\Notification"

    public var reader: String
    /// What the caller last saw (the state bits plus the event counter in the high 16 bits).
    public var currentState: UInt32
    /// What pcscd reported in the last wait.
    public var eventState: UInt32
    /// The card's answer to reset, when one is present.
    public var atr: [UInt8]

    public init(reader: String, currentState: UInt32 = 0) {
        self.reader = reader
        self.currentState = currentState
        eventState = 0
        atr = []
    }

    /// A PnP entry: pcscd reports a change whenever the reader list changes.
    public static func plugAndPlay(currentState: UInt32 = 0) -> ReaderState {
        ReaderState(reader: plugAndPlayReader, currentState: currentState)
    }

    /// The state bits of the last report, without the event counter.
    public var flags: ReaderStateFlags { ReaderStateFlags(rawValue: eventState & 0xFFFF) }

    /// pcsc-lite's per-reader event counter (high 16 bits): it changes on every insertion
    /// and removal, so a quick pull-and-reinsert between two waits is not missed.
    public var eventCounter: UInt16 { UInt16(eventState >> 16) }

    /// Whether pcscd reported a change relative to `currentState`.
    public var hasChanged: Bool { flags.contains(.changed) }

    /// Makes the last report the new baseline for the next wait.
    public mutating func acknowledge() { currentState = eventState & ~ReaderStateFlags.changed.rawValue }
}
