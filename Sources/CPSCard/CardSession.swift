import CPSIdentity
import Logging
import OwnThreads
import PCSC
import PINEntry
import PKCS11
import SmartCard
import Synchronization
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#endif

/// One inserted card: its PKCS#11 session, its cached credentials, and the operations of a
/// login, one at a time.
///
/// An actor on a dispatch queue of its own: every PKCS#11 and PC/SC call here blocks, and
/// none may hold a thread of the cooperative pool. A new card (or the same card pulled and put
/// back) gets a new `CardSession`, so the cache never outlives the insertion.
public actor CardSession: LoginCard {
    public let reader: String
    public let presence: CardPresence
    /// What the daemon knows of this kind of card (labels, PIN format, commands).
    nonisolated var profile: CardProfile { presence.profile }
    let module: PKCS11Module
    let logger: Logger
    private let executor: DedicatedThreadExecutor
    nonisolated public var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// The same thread as a task executor: a card call's task runs there (`withDeadline`).
    nonisolated public var cardThread: (any TaskExecutor)? { executor }

    private var slot: Slot?
    private(set) var session: PKCS11Session?
    private var credentials: CardCredentials? { didSet { publishStatus() } }
    /// Our own connection to the card, made before `C_Login` and used to reset the card the
    /// moment the login ends (see `endLogin`).
    var resetConnection: CardConnection?
    /// Between `C_Login` and `endLogin`: OpenSC holds the card in a PC/SC transaction
    /// (`lock_login`), so no connection of ours may wait for one.
    var loginHeld = false { didSet { publishStatus() } }
    /// Between a verification on the PIN pad by the direct path and `endLogin`: our own
    /// connection holds the card in a PC/SC transaction, the card verified (CardSession+PINPad).
    var directLogin: CardConnection?
    /// The reader's answer to the part 10 feature request, once asked (CardSession+PINPad).
    var readerHasPINPadFeature: Bool?
    /// After a refused `C_Login` whose hold could not be released: the card stays held by the
    /// module until it is re-initialised, so `endLogin` must not wait to reset it.
    private var moduleHoldsCard = false
    /// The last PIN state read, shown while a login holds the card.
    var lastPINState: PINState? { didSet { publishStatus() } }
    /// Whether `lastPINState` is still the card's: false from a login's verification on, until
    /// the next read.
    var pinStateIsCurrent = false { didSet { publishStatus() } }
    /// What a status shows of this card, kept up to date by the properties above and read
    /// without waiting for this actor (`cachedStatus`): a status then costs no hop onto the
    /// card's thread, and does not wait behind a login.
    private let shownStatus: Mutex<(holder: HolderIdentity?, pin: PINState?)>
    /// The holder read over PC/SC before the session existed (`CardFileRead`), shown until the
    /// credentials are read through the module.
    private let knownHolder: HolderIdentity?

    /// Re-initialises the module, so that OpenSC lets the card go after a refused `C_Login`
    /// (see `afterFailedLogin`); false when it could not be done now.
    private let releaseModule: @Sendable () -> Bool

    /// - Parameter known: what was read of this insertion over PC/SC while the module loaded
    ///   (`CardFileRead`): its status is then known with no card call.
    init(reader: String, presence: CardPresence, module: PKCS11Module, logger: Logger, known: CardFileRead.Found? = nil,
         releaseModule: @escaping @Sendable () -> Bool = { false }) {
        knownHolder = known?.holder
        lastPINState = known?.pin
        pinStateIsCurrent = known?.pin != nil
        shownStatus = Mutex((known?.holder, known?.pin))
        self.reader = reader
        self.presence = presence
        self.module = module
        self.logger = logger
        self.releaseModule = releaseModule
        executor = DedicatedThreadExecutor(name: "cps-bridge.card")
    }

    /// The card's PKCS#11 slot: the one OpenSC (or Cryptolib) names after our reader.
    func cardSlot() throws(AuthenticationError) -> Slot {
        if let slot { return slot }
        do {
            // The module learns of a new card when it lists its slots; a fresh insertion may
            // take a moment to show.
            for attempt in 0..<20 {
                if let found = try module.slots(readerName: reader, tokenPresent: true).first {
                    slot = found
                    return found
                }
                if attempt < 19 { usleep(50_000) }
            }
        } catch {
            throw mapped(error)
        }
        throw cardGoneOr(.internal(detail: "the PKCS#11 module shows no token in \(reader)"))
    }

    /// A session on the card, kept open between logins (a warm session saves APDUs).
    func openSession() throws(AuthenticationError) -> PKCS11Session {
        if let session { return session }
        let slot = try cardSlot()
        do {
            let opened = try slot.openSession()
            session = opened
            return opened
        } catch {
            throw mapped(error)
        }
    }

    /// Forgets the session (after an error that may have killed it).
    func dropSession() {
        session = nil
    }

    /// The authentication certificate and holder, read on first use and cached.
    public func readCredentials() throws(AuthenticationError) -> CardCredentials {
        if let credentials { return credentials }
        let session = try openSession()
        do {
            var handles = try session.findObjects(class: .certificate, label: profile.certificateLabel)
            if handles.isEmpty {
                // Some stacks label differently: take the certificate paired with an AUT key.
                handles = try session.findObjects(class: .certificate)
            }
            guard let handle = handles.first else {
                throw AuthenticationError.unsupportedCard(reason: "the card has no authentication certificate (\(profile.certificateLabel))")
            }
            let der = try session.attribute(.value, of: handle)
            let id = try session.attribute(.id, of: handle)
            let certificate = try Certificate(derEncoded: der)
            let holder = try HolderIdentity(certificate: certificate)
            let read = CardCredentials(certificateDER: der, certificate: certificate, holder: holder, objectID: id)
            credentials = read
            return read
        } catch let error as AuthenticationError {
            throw error
        } catch {
            dropSession()
            throw mapped(error)
        }
    }

    /// The token's flags (PIN counters, PIN pad), for when the card cannot say more.
    func tokenFlags() throws(AuthenticationError) -> TokenFlags {
        do {
            return try cardSlot().tokenInfo().flags
        } catch let error as AuthenticationError {
            throw error
        } catch {
            throw mapped(error)
        }
    }

    /// The PIN state, without spending a try: the exact count from the card (IAS-ECC GET DATA
    /// over our own PC/SC connection, in a transaction of ours, no PKCS#11 call inside), else
    /// the token flags.
    ///
    /// While a login holds the card (between `C_Login` and `endLogin`) the last state read is
    /// returned: the module's transaction would make our own wait forever.
    public func pinState() throws(AuthenticationError) -> PINState {
        if loginHeld, let lastPINState { return lastPINState }
        let state: PINState
        if !loginHeld, let exact = CardPINQuery.read(reader: reader, profile: profile, logger: logger) {
            state = exact
        } else {
            let flags = try tokenFlags()
            state = PINState.fromTokenFlags(countLow: flags.contains(.userPinCountLow),
                                            finalTry: flags.contains(.userPinFinalTry),
                                            locked: flags.contains(.userPinLocked))
        }
        lastPINState = state
        pinStateIsCurrent = true
        return state
    }

    /// The holder and PIN state a status shows, when both are known and nothing can have
    /// changed them since (what `readCredentials` and `statusPINState` would return without
    /// going to the card); nil when the card must be read.
    public nonisolated var cachedStatus: (holder: HolderIdentity, pin: PINState)? {
        shownStatus.withLock { shown in
            guard let holder = shown.holder, let pin = shown.pin else { return nil }
            return (holder, pin)
        }
    }

    private func publishStatus() {
        let pin = pinStateIsCurrent || loginHeld ? lastPINState : nil
        let holder = credentials?.holder ?? knownHolder
        shownStatus.withLock { $0 = (holder, pin) }
    }

    /// The PIN state for a status: the last one read while nothing can have changed it since
    /// (the session is per insertion; a login marks it stale), else read now. A login always
    /// reads it afresh (`pinState`): its rules must see what another program may have spent.
    public func statusPINState() throws(AuthenticationError) -> PINState {
        if pinStateIsCurrent || loginHeld, let lastPINState { return lastPINState }
        return try pinState()
    }

    /// Verifies a PIN entered on the computer (`C_Login`). Never retried.
    ///
    /// OpenSC (with `lock_login`, CardModule) keeps the card in a PC/SC transaction of its own
    /// from `C_Login` until `C_Logout`: no other program's APDU reaches the card meanwhile. A
    /// connection of ours is made first (a connection cannot be made while the card is held),
    /// so that `endLogin` can reset the card in the same instant the module lets it go.
    public func verifyPIN(_ pin: SecretPIN) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        try login(pin)
    }

    /// `C_Login` with `pin`, or with none for the module's protected authentication path.
    func login(_ pin: SecretPIN?) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        let session = try openSession()
        // A login left over from an earlier failure would make C_Login answer
        // CKR_USER_ALREADY_LOGGED_IN; start from a clean state.
        try? session.logout()
        if resetConnection == nil { resetConnection = try? CardConnection(context: PCSCContext(), reader: reader) }
        loginHeld = true
        do {
            if let pin {
                try pin.withBytes { bytes in try session.login(.user, pin: bytes) }
            } else {
                try session.login(.user, pin: nil)
            }
            return .verified
        } catch let error as PKCS11Error where error.returnValue == .pinIncorrect {
            return .incorrect(triesLeft: afterFailedLogin(session)?.triesLeft)
        } catch let error as PKCS11Error where error.returnValue == .pinLocked {
            _ = afterFailedLogin(session)
            return .blocked
        } catch let error as PKCS11Error where error.returnValue == .pinLenRange || error.returnValue == .pinInvalid {
            // The module refused the PIN's form before the card saw it: no try was spent.
            return .incorrect(triesLeft: afterFailedLogin(session)?.triesLeft)
        } catch let error as PKCS11Error where pin == nil && error.returnValue == .functionCanceled {
            // The pad's Cancel key or its timeout: no try was spent.
            _ = afterFailedLogin(session)
            throw .cancelled
        } catch {
            _ = afterFailedLogin(session)
            throw mapped(error)
        }
    }

    /// After a refused `C_Login`: lets the card go, then reads the tries left.
    ///
    /// OpenSC 0.23 takes its `lock_login` transaction before the VERIFY and keeps it when the
    /// PIN is refused: its `C_Logout` does nothing for a session that is not logged in, so the
    /// card would stay held (other programs, and our own connections, would wait) until a
    /// later successful login. Only the module's re-initialisation releases it. When that
    /// cannot be done now (another card is in use), the session stays marked as held: no raw
    /// PC/SC call of ours waits on it, and the service re-initialises the module before its
    /// next card call.
    func afterFailedLogin(_ session: PKCS11Session) -> PINState? {
        try? session.logout()
        dropSession()
        slot = nil
        guard releaseModule() else {
            moduleHoldsCard = true
            return nil
        }
        loginHeld = false
        let state = CardPINQuery.read(reader: reader, profile: profile, logger: logger)
        if let state { lastPINState = state }
        return state
    }

    /// Signs `digestInfo` with the authentication key (`CKM_RSA_PKCS`). The login stays open
    /// (and the card held) until `endLogin`, which logs out and resets the card in one go.
    public func sign(_ digestInfo: [UInt8]) throws(AuthenticationError) -> [UInt8] {
        if let directLogin { return try signDirectly(digestInfo, on: directLogin) }
        let credentials = try readCredentials()
        let session = try openSession()
        do {
            let keys = try session.findObjects(class: .privateKey, label: profile.keyLabel)
            let matching = try keys.first { try session.attribute(.id, of: $0) == credentials.objectID }
            let byID = try session.findObjects(class: .privateKey, id: credentials.objectID).first
            guard let key = matching ?? byID else {
                throw AuthenticationError.unsupportedCard(reason: "the card has no authentication key (\(profile.keyLabel))")
            }
            return try session.sign(digestInfo, mechanism: .rsaPKCS, key: key)
        } catch let error as AuthenticationError {
            throw error
        } catch {
            dropSession()
            throw mapped(error)
        }
    }

    /// Ends a login, whatever its outcome: `C_Logout`, then at once a warm reset of the card
    /// through the connection of ours made before `C_Login`, so that the card itself forgets
    /// the verified PIN.
    ///
    /// `C_Logout` alone sends nothing to a CPS3 through OpenSC 0.23: the card would stay
    /// verified, open to any program's raw APDUs, and OpenSC's iasecc driver would skip the
    /// next VERIFY on its own hash of the last PIN. After the reset the card answers `63 Cx`
    /// again and every login verifies the PIN on the card. OpenSC notices the reset on its
    /// next call and re-selects the application by itself. `C_Logout` also ends OpenSC's
    /// transaction (`lock_login`); the reset is the very next PC/SC call. A reset that fails is
    /// logged: the card may then still count the PIN as verified until it is pulled.
    public func endLogin() {
        pinStateIsCurrent = false
        if let directLogin {
            endDirectLogin(directLogin)
            return
        }
        try? session?.logout()
        if moduleHoldsCard {
            // Refused PIN: the card is not verified, and pcscd would hold a reset until the
            // module lets the card go. Leave it; the module's re-initialisation frees it.
            try? resetConnection?.disconnect(.leave)
            resetConnection = nil
            return
        }
        loginHeld = false
        let connection = resetConnection ?? (try? CardConnection(context: PCSCContext(), reader: reader))
        resetConnection = nil
        guard let connection else {
            logger.warning("could not reset the card in \(reader) after the login (no PC/SC connection): it may still count the PIN as verified until it is pulled")
            return
        }
        do {
            try connection.disconnect(.reset)
        } catch {
            logger.warning("could not reset the card in \(reader) after the login (\(error)): it may still count the PIN as verified until it is pulled")
        }
    }

    /// A PKCS#11 or other error as the user's outcome: the card gone, or an internal failure.
    func mapped(_ error: any Error) -> AuthenticationError {
        if let error = error as? AuthenticationError { return error }
        if let p11 = error as? PKCS11Error, let code = p11.returnValue,
           [.deviceRemoved, .tokenNotPresent, .tokenNotRecognized].contains(code) {
            return .cardRemoved
        }
        return cardGoneOr(.internal(detail: String(describing: error)))
    }

    /// `.cardRemoved` if the reader no longer holds the card, else `fallback`.
    ///
    /// A card call usually fails before pcscd notices the removal (it polls readers every
    /// ~400 ms), so a card still shown present gets one bounded wait for a change.
    func cardGoneOr(_ fallback: AuthenticationError) -> AuthenticationError {
        guard let context = try? PCSCContext(), var states = try? context.currentStates(of: [reader]) else { return fallback }
        func gone(_ state: ReaderState) -> Bool { !state.flags.contains(.present) || state.atr != presence.atr }
        if gone(states[0]) { return .cardRemoved }
        states[0].acknowledge()
        if (try? context.waitForStatusChange(&states, timeoutMilliseconds: 800)) == true, gone(states[0]) || states[0].eventCounter != UInt16(truncatingIfNeeded: states[0].currentState >> 16) {
            return .cardRemoved
        }
        return fallback
    }
}
