import SmartCard

/// What happened on the card besides the response, for whoever drives it.
public enum CardEvent: Sendable, Hashable {
    /// A VERIFY with the right PIN succeeded.
    case pinVerified
    /// A private-key operation (signature or decipherment) was performed.
    case keyUsed
}

/// The security environment set by MSE SET.
enum SecurityEnvironment: Hashable {
    /// Authentication template (`A4`): INTERNAL AUTHENTICATE with the key.
    case authenticate(keyReference: UInt8)
    /// Confidentiality template (`B8`): PSO DECIPHER with the key.
    case decipher(keyReference: UInt8)
}

/// The card's mutable state. Everything but the PIN counter is lost on reset.
struct CardState {
    var currentDF: CardPath = []
    var currentEF: CardPath?
    var pinTriesLeft: Int
    var pinVerified = false
    var environment: SecurityEnvironment?
    /// Response bytes not yet fetched with GET RESPONSE.
    var pendingResponse: [UInt8] = []
    /// Data of a chained command received so far (CLA `10`).
    var chainedData: [UInt8] = []
    var chainedHeader: [UInt8] = []

    /// Clears what a reset clears (the PIN counter is in non-volatile memory).
    mutating func reset() {
        self = CardState(pinTriesLeft: pinTriesLeft)
    }
}

/// The IAS-ECC application of a CPS3: one APDU dispatcher over the card's files, its PIN
/// and its authentication key. A value type with no I/O; `CPS3Card` serialises access.
struct CPS3Applet {
    let profile: CardProfile
    let files: CardFileSystem
    let key: CardRSAKey
    let pin: PINCode
    var state: CardState
    /// A test switch (control socket `hide-pin-counter`): the PIN descriptor leaves out the
    /// tries left (`9B`), as a card that cannot tell them without spending one. Kept across resets.
    var pinCounterHidden = false

    init(profile: CardProfile, files: CardFileSystem, key: CardRSAKey, pin: PINCode, triesLeft: Int) {
        self.profile = profile
        self.files = files
        self.key = key
        self.pin = pin
        state = CardState(pinTriesLeft: min(max(triesLeft, 0), profile.maxPINTries))
    }

    /// Processes one command APDU. Never traps: any byte string gets a status word.
    mutating func process(_ bytes: [UInt8]) -> (ResponseAPDU, CardEvent?) {
        guard bytes.count >= 4 else { return (.status(.wrongLength), nil) }
        let command: CommandAPDU
        do {
            command = try CommandAPDU(bytes: bytes)
        } catch {
            return (.status(.wrongLength), nil)
        }
        if command.cla != 0x00 {
            return (classResponse(command), nil)
        }
        if !state.chainedHeader.isEmpty {
            guard state.chainedHeader == [command.ins, command.p1, command.p2] else {
                state.chainedData = []
                state.chainedHeader = []
                return (.status(.conditionsOfUseNotSatisfied), nil)
            }
            var whole = command
            whole.data = state.chainedData + command.data
            state.chainedData = []
            state.chainedHeader = []
            return dispatch(whole)
        }
        return dispatch(command)
    }

    /// Commands with a class byte other than `00`: command chaining (`10`) is kept for the
    /// next command; secure messaging, logical channels and proprietary classes are refused.
    private mutating func classResponse(_ command: CommandAPDU) -> ResponseAPDU {
        switch command.cla {
        case 0x10:
            guard command.ins == 0x2A, !command.data.isEmpty else { return .status(.chainingNotSupported) }
            state.chainedHeader = [command.ins, command.p1, command.p2]
            state.chainedData += command.data
            guard state.chainedData.count <= 4096 else {
                state.chainedData = []
                state.chainedHeader = []
                return .status(.wrongLength)
            }
            return .ok()
        case 0x01...0x03:
            return .status(.logicalChannelNotSupported)
        case 0x04...0x0F:
            return .status(.secureMessagingNotSupported)
        default:
            return .status(.classNotSupported)
        }
    }

    private mutating func dispatch(_ command: CommandAPDU) -> (ResponseAPDU, CardEvent?) {
        if command.ins != 0xC0 { state.pendingResponse = [] }
        switch command.ins {
        case 0xA4: return (select(command), nil)
        case 0xB0: return (readBinary(command), nil)
        case 0x20: return verify(command)
        case 0xCB: return (getData(command), nil)
        case 0x22: return (manageSecurityEnvironment(command), nil)
        case 0x88: return internalAuthenticate(command)
        case 0x2A: return performSecurityOperation(command)
        case 0x84: return (getChallenge(command), nil)
        case 0xC0: return (getResponse(command), nil)
        case 0x24, 0x2C, 0xD6, 0xDA, 0xDB, 0xE0, 0xE4, 0x44, 0x04, 0x46, 0x47:
            // Known IAS-ECC instructions this simulated card does not offer.
            return (.status(.functionNotSupported), nil)
        default:
            return (.status(.instructionNotSupported), nil)
        }
    }

    /// Answers with `data`, or with its first `ne` bytes and `61 xx` when the caller asked for less.
    mutating func respond(_ data: [UInt8], ne: Int?) -> ResponseAPDU {
        guard let ne, ne < data.count else { return .ok(data) }
        state.pendingResponse = Array(data[ne...])
        return ResponseAPDU(data: Array(data[..<ne]), status: .bytesRemaining(state.pendingResponse.count))
    }

    /// GET RESPONSE: the rest of the previous command's response.
    private mutating func getResponse(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else { return .status(.incorrectP1P2) }
        guard command.data.isEmpty else { return .status(.wrongLength) }
        guard !state.pendingResponse.isEmpty else { return .status(.conditionsOfUseNotSatisfied) }
        let rest = state.pendingResponse
        state.pendingResponse = []
        return respond(rest, ne: command.ne)
    }
}
