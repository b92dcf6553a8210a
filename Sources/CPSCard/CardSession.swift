import CPSIdentity
import Logging
import PCSC
import PKCS11
import SmartCard
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
public actor CardSession {
    public let reader: String
    public let presence: CardPresence
    let module: PKCS11Module
    let logger: Logger
    private let executor: DispatchQueueExecutor
    nonisolated public var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private var slot: Slot?
    private var session: PKCS11Session?
    private var credentials: CardCredentials?

    init(reader: String, presence: CardPresence, module: PKCS11Module, logger: Logger) {
        self.reader = reader
        self.presence = presence
        self.module = module
        self.logger = logger
        executor = DispatchQueueExecutor(label: "cps-bridge.card")
    }

    /// The card's PKCS#11 slot: the one OpenSC (or Cryptolib) names after our reader.
    private func cardSlot() throws(AuthenticationError) -> Slot {
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
    private func openSession() throws(AuthenticationError) -> PKCS11Session {
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
    private func dropSession() {
        session = nil
    }

    /// The authentication certificate and holder, read on first use and cached.
    public func readCredentials() throws(AuthenticationError) -> CardCredentials {
        if let credentials { return credentials }
        let session = try openSession()
        do {
            var handles = try session.findObjects(class: .certificate, label: CPSLabels.authenticationCertificate)
            if handles.isEmpty {
                // Some stacks label differently: take the certificate paired with an AUT key.
                handles = try session.findObjects(class: .certificate)
            }
            guard let handle = handles.first else {
                throw AuthenticationError.unsupportedCard(reason: "the card has no authentication certificate (\(CPSLabels.authenticationCertificate))")
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
    public func pinState() throws(AuthenticationError) -> PINState {
        if let exact = CardPINQuery.read(reader: reader, logger: logger) { return exact }
        let flags = try tokenFlags()
        return PINState.fromTokenFlags(countLow: flags.contains(.userPinCountLow),
                                       finalTry: flags.contains(.userPinFinalTry),
                                       locked: flags.contains(.userPinLocked))
    }

    /// Whether the token asks for the PIN on the reader (`CKF_PROTECTED_AUTHENTICATION_PATH`).
    public func hasProtectedAuthenticationPath() -> Bool {
        (try? tokenFlags().contains(.protectedAuthenticationPath)) ?? false
    }

    /// Verifies the PIN (`C_Login`); `nil` lets the reader's PIN pad take it. Never retried.
    public func verifyPIN(_ pin: SecretPIN?) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        let session = try openSession()
        // A login left over from an earlier failure would make C_Login answer
        // CKR_USER_ALREADY_LOGGED_IN; start from a clean state.
        try? session.logout()
        do {
            if let pin {
                try pin.withBytes { bytes in try session.login(.user, pin: bytes) }
            } else {
                try session.login(.user, pin: nil)
            }
            return .verified
        } catch let error as PKCS11Error where error.returnValue == .pinIncorrect {
            let state = CardPINQuery.read(reader: reader, logger: logger)
            return .incorrect(triesLeft: state?.triesLeft)
        } catch let error as PKCS11Error where error.returnValue == .pinLocked {
            return .blocked
        } catch let error as PKCS11Error where error.returnValue == .pinLenRange || error.returnValue == .pinInvalid {
            // The module refused the PIN's form before the card saw it: no try was spent.
            return .incorrect(triesLeft: CardPINQuery.read(reader: reader, logger: logger)?.triesLeft)
        } catch {
            dropSession()
            throw mapped(error)
        }
    }

    /// Signs `digestInfo` with the authentication key (`CKM_RSA_PKCS`), then logs out.
    public func sign(_ digestInfo: [UInt8]) throws(AuthenticationError) -> [UInt8] {
        let credentials = try readCredentials()
        let session = try openSession()
        defer { try? session.logout() }
        do {
            let keys = try session.findObjects(class: .privateKey, label: CPSLabels.authenticationKey)
            let matching = try keys.first { try session.attribute(.id, of: $0) == credentials.objectID }
            let byID = try session.findObjects(class: .privateKey, id: credentials.objectID).first
            guard let key = matching ?? byID else {
                throw AuthenticationError.unsupportedCard(reason: "the card has no authentication key (\(CPSLabels.authenticationKey))")
            }
            return try session.sign(digestInfo, mechanism: .rsaPKCS, key: key)
        } catch let error as AuthenticationError {
            throw error
        } catch {
            dropSession()
            throw mapped(error)
        }
    }

    /// Ends a login, whatever its outcome: `C_Logout`, then a warm reset of the card through
    /// a connection of our own, so that the card itself forgets the verified PIN.
    ///
    /// `C_Logout` alone sends nothing to a CPS3 through OpenSC 0.23: the card would stay
    /// verified, open to any program's raw APDUs, and OpenSC's iasecc driver would skip the
    /// next VERIFY on its own hash of the last PIN. After the reset the card answers `63 Cx`
    /// again and every login verifies the PIN on the card. OpenSC notices the reset on its
    /// next call and re-selects the application by itself.
    public func endLogin() {
        try? session?.logout()
        if let connection = try? CardConnection(context: PCSCContext(), reader: reader) {
            try? connection.disconnect(.reset)
        }
    }

    /// A PKCS#11 or other error as the user's outcome: the card gone, or an internal failure.
    private func mapped(_ error: any Error) -> AuthenticationError {
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
    private func cardGoneOr(_ fallback: AuthenticationError) -> AuthenticationError {
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
