import Logging
import PCSC
import PINEntry
import PKCS11
import SmartCard

extension CardSession {
    /// How a PIN typed on this reader's pad would reach the card under `policy`, or `nil`.
    ///
    /// Needs a reader announcing `FEATURE_VERIFY_PIN_DIRECT` and a card whose profile has a
    /// user PIN; then the module's protected authentication path when the token reports it
    /// (`CKF_PROTECTED_AUTHENTICATION_PATH`: OpenSC sets it for a PIN-pad reader), else ours
    /// when the profile knows the card's signature commands. One control call to the reader,
    /// and `C_GetTokenInfo` when the policy lets the module's path be taken.
    public func pinPadPath(_ policy: PINPadPolicy) -> PINPadPath? {
        guard policy != .off, profile.userPIN != nil, readerHasPINPad() else { return nil }
        let direct: PINPadPath? = profile.directSignature != nil ? .direct : nil
        switch policy {
        case .off: return nil
        case .direct: return direct
        case .module: return moduleOffersProtectedPath() ? .module : nil
        case .automatic: return moduleOffersProtectedPath() ? .module : direct
        }
    }

    /// Whether the token asks for the PIN on the reader (`CKF_PROTECTED_AUTHENTICATION_PATH`).
    func moduleOffersProtectedPath() -> Bool {
        (try? tokenFlags().contains(.protectedAuthenticationPath)) ?? false
    }

    /// Whether the reader announces PC/SC part 10 PIN verification. Asked once per session (a
    /// reader's features do not change while the card is in it).
    private func readerHasPINPad() -> Bool {
        if let readerHasPINPadFeature { return readerHasPINPadFeature }
        guard let connection = try? CardConnection(context: PCSCContext(), reader: reader) else { return false }
        defer { try? connection.disconnect(.leave) }
        let answer = connection.readerFeatures()[.verifyPINDirect] != nil
        readerHasPINPadFeature = answer
        return answer
    }

    /// Has the holder type the PIN on the reader, through `path`. Never retried.
    ///
    /// `.module`: `C_Login` with no PIN; the module drives the pad. `.direct`: in a PC/SC
    /// transaction of our own, SELECT of the key's DF, then the profile's part 10 structure
    /// (the reader builds the VERIFY from the digits typed); on success the transaction is
    /// kept, so that `sign` runs the card's own signature commands on the card this very
    /// VERIFY unlocked, and `endLogin` resets the card. No PKCS#11 call may run meanwhile (the
    /// module would wait for our transaction): the credentials are read before.
    public func verifyOnPINPad(_ path: PINPadPath, timeout: Duration) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        switch path {
        case .module:
            return try login(SecretPIN?.none)
        case .direct:
            return try verifyDirectly(timeout: timeout)
        }
    }

    private func verifyDirectly(timeout: Duration) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        guard let pin = profile.userPIN, let commands = profile.directSignature else { throw .pinEntryUnavailable }
        _ = try readCredentials()
        let connection: CardConnection
        do {
            connection = try CardConnection(context: PCSCContext(), reader: reader)
            try connection.beginTransaction()
        } catch {
            throw cardGoneOr(.internal(detail: "PIN pad: no PC/SC connection to the card: \(error)"))
        }
        func giveUp() {
            try? connection.endTransaction(.leave)
            try? connection.disconnect(.leave)
        }
        let outcome: PINPadOutcome
        do {
            let select = try ResponseAPDU(bytes: connection.transmit(commands.selectApplication.bytes))
            guard select.status.isSuccess else {
                giveUp()
                throw AuthenticationError.internal(detail: "PIN pad: the card refused to select its application (\(select.status))")
            }
            outcome = try PINPad(reader: connection).verifyOnPINPad(pin.pinPadRequest, timeout: timeout)
        } catch let error as AuthenticationError {
            throw error
        } catch let error as PINPadError {
            giveUp()
            throw cardGoneOr(error.authenticationError)
        } catch {
            giveUp()
            throw cardGoneOr(.internal(detail: "PIN pad: \(error)"))
        }
        switch outcome.flowOutcome {
        case .success(.verified):
            directLogin = connection
            loginHeld = true
            return .verified
        case .success(let refused):
            giveUp()
            if case .incorrect(let left?) = refused { lastPINState = .exact(triesLeft: left, maxTries: lastPINState?.maxTries) }
            return refused
        case .failure(let error):
            giveUp()
            throw error
        }
    }

    /// The authentication signature by the card's own commands, on the connection whose
    /// transaction holds the card since the PIN pad's VERIFY.
    func signDirectly(_ digestInfo: [UInt8], on connection: CardConnection) throws(AuthenticationError) -> [UInt8] {
        guard let commands = profile.directSignature else { throw .internal(detail: "no signature commands for \(profile.name)") }
        do {
            let environment = try ResponseAPDU(bytes: connection.transmit(commands.setSecurityEnvironment.bytes))
            guard environment.status.isSuccess else {
                throw AuthenticationError.internal(detail: "the card refused MSE SET (\(environment.status))")
            }
            var answer = try ResponseAPDU(bytes: connection.transmit(commands.internalAuthenticate(digestInfo).bytes))
            var signature = answer.data
            // T=0 cards announce the rest with 61 xx: fetch it with GET RESPONSE.
            while answer.status.sw1 == 0x61 {
                let more = CommandAPDU(cla: 0x00, ins: 0xC0, p1: 0x00, p2: 0x00, ne: answer.status.sw2 == 0 ? 256 : Int(answer.status.sw2))
                answer = try ResponseAPDU(bytes: connection.transmit(more.bytes))
                signature += answer.data
            }
            guard answer.status.isSuccess, !signature.isEmpty else {
                throw AuthenticationError.internal(detail: "the card refused INTERNAL AUTHENTICATE (\(answer.status))")
            }
            return signature
        } catch let error as AuthenticationError {
            throw error
        } catch {
            throw cardGoneOr(.internal(detail: "signature on the card: \(error)"))
        }
    }

    /// Ends a login made through the direct pad path: the transaction ends with a reset of
    /// the card, which forgets the verified PIN.
    func endDirectLogin(_ connection: CardConnection) {
        directLogin = nil
        loginHeld = false
        do {
            try connection.endTransaction(.reset)
            try connection.disconnect(.reset)
        } catch {
            logger.warning("could not reset the card in \(reader) after the login (\(error)): it may still count the PIN as verified until it is pulled")
        }
    }
}
