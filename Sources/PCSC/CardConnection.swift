import CPCSCLite

/// How to share the card with other programs (`SCARD_SHARE_*`).
public enum ShareMode: Sendable {
    /// `SCARD_SHARE_SHARED`: the normal mode; serialise with transactions.
    case shared
    /// `SCARD_SHARE_EXCLUSIVE`
    case exclusive
    /// `SCARD_SHARE_DIRECT`: talk to the reader with no card (for `control`).
    case direct

    var cValue: DWORD {
        switch self {
        case .shared: DWORD(SCARD_SHARE_SHARED)
        case .exclusive: DWORD(SCARD_SHARE_EXCLUSIVE)
        case .direct: DWORD(SCARD_SHARE_DIRECT)
        }
    }
}

/// What to do with the card when a connection or transaction ends (`SCARD_*_CARD`).
public enum Disposition: Sendable {
    /// `SCARD_LEAVE_CARD`
    case leave
    /// `SCARD_RESET_CARD`: warm reset.
    case reset
    /// `SCARD_UNPOWER_CARD`: cold reset.
    case unpower

    var cValue: DWORD {
        switch self {
        case .leave: DWORD(SCARD_LEAVE_CARD)
        case .reset: DWORD(SCARD_RESET_CARD)
        case .unpower: DWORD(SCARD_UNPOWER_CARD)
        }
    }
}

/// The transmission protocol in use.
public enum CardProtocol: Sendable, Hashable {
    case t0, t1, raw, undefined

    init(_ value: DWORD) {
        switch value {
        case DWORD(SCARD_PROTOCOL_T0): self = .t0
        case DWORD(SCARD_PROTOCOL_T1): self = .t1
        case DWORD(SCARD_PROTOCOL_RAW): self = .raw
        default: self = .undefined
        }
    }
}

/// A connection to the card in one reader (`SCARDHANDLE`), disconnected (leaving the card)
/// when the object goes away.
///
/// All methods block: call them off the cooperative pool.
public final class CardConnection: @unchecked Sendable {
    // @unchecked: pcsc-lite serialises calls on a handle; the mutable protocol is only
    // written by reconnect, which callers serialise with their other calls on this card.
    let handle: SCARDHANDLE
    /// The context the handle was made on; kept alive as long as the connection.
    public let context: PCSCContext
    public let reader: String
    public private(set) var activeProtocol: CardProtocol
    private var disconnected = false

    /// Connects to the card in `reader` (`SCardConnect`), T=0 or T=1.
    /// - Throws: `.noSmartcard` for an empty reader, `.unknownReader` for a reader that is gone,
    ///   `.sharingViolation` when another program holds it exclusively.
    public init(context: PCSCContext, reader: String, share: ShareMode = .shared) throws(PCSCError) {
        var handle: SCARDHANDLE = 0
        var proto: DWORD = 0
        let wanted = share == .direct ? DWORD(0) : DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
        try pcsc("SCardConnect") {
            SCardConnect(context.handle, reader, share.cValue, wanted, &handle, &proto)
        }
        self.handle = handle
        self.context = context
        self.reader = reader
        activeProtocol = CardProtocol(proto)
    }

    deinit {
        if !disconnected { SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD)) }
    }

    /// Sends one APDU and returns the whole response, status word included (`SCardTransmit`).
    public func transmit(_ command: [UInt8]) throws(PCSCError) -> [UInt8] {
        var pci = SCARD_IO_REQUEST(
            dwProtocol: activeProtocol == .t0 ? DWORD(SCARD_PROTOCOL_T0) : DWORD(SCARD_PROTOCOL_T1),
            cbPciLength: DWORD(MemoryLayout<SCARD_IO_REQUEST>.size)
        )
        // Extended-length responses are at most 65536 bytes plus the status word. The buffer
        // is not zeroed: pcsc-lite writes the card's answer into it and only that part is
        // copied out (zeroing 64 KiB for each of a login's two APDUs sent here cost 125 000
        // instructions, 11 % of the card's thread: BENCHMARKS.md, "The card's thread, lighter").
        let capacity = 65538
        var length = DWORD(capacity)
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer throws(PCSCError) -> [UInt8] in
            try pcsc("SCardTransmit") {
                SCardTransmit(handle, &pci, command, DWORD(command.count), nil, buffer.baseAddress, &length)
            }
            return Array(buffer.prefix(min(Int(length), capacity)))
        }
    }

    /// Re-establishes the connection after a reset or a removal and re-insertion
    /// (`SCardReconnect`).
    public func reconnect(share: ShareMode = .shared, initialization: Disposition = .leave) throws(PCSCError) {
        var proto: DWORD = 0
        try pcsc("SCardReconnect") {
            SCardReconnect(handle, share.cValue, DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), initialization.cValue, &proto)
        }
        activeProtocol = CardProtocol(proto)
    }

    /// Ends the connection now (`SCardDisconnect`); later calls fail with `.invalidHandle`.
    public func disconnect(_ disposition: Disposition = .leave) throws(PCSCError) {
        guard !disconnected else { return }
        disconnected = true
        try pcsc("SCardDisconnect") { SCardDisconnect(handle, disposition.cValue) }
    }

    /// The card's present state and ATR (`SCardStatus`).
    public func status() throws(PCSCError) -> (flags: ReaderStateFlags, atr: [UInt8]) {
        var state: DWORD = 0
        var proto: DWORD = 0
        var atr = [UInt8](repeating: 0, count: Int(MAX_ATR_SIZE))
        var atrLength = DWORD(atr.count)
        var nameLength: DWORD = 0
        try pcsc("SCardStatus") {
            SCardStatus(handle, nil, &nameLength, &state, &proto, &atr, &atrLength)
        }
        return (ReaderStateFlags(rawValue: UInt32(truncatingIfNeeded: state)), Array(atr.prefix(Int(atrLength))))
    }
}
