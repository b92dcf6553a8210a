import CPSIdentity
import Logging
import PCSC

extension CardService {
    /// Logs in with the card: chooses it, reads the PIN state, has the PIN entered, verifies
    /// it and signs the Web eID construction over `request.origin` and `request.nonce`.
    ///
    /// Every wait is bounded; cancelling the calling task ends it with `.cancelled` (and takes
    /// a native prompt down at once). Never sends a PIN to a blocked card, never uses the last
    /// try (or one that may be) without the holder's native confirmation, never retries a
    /// wrong PIN.
    public func authenticate(_ request: AuthenticationRequest) async -> Result<AuthenticationResult, AuthenticationError> {
        await monitor.waitUntilSynchronised()
        guard monitor.isServiceAvailable else {
            return .failure(.internal(detail: "pcscd is not running or refuses us"))
        }
        let snapshots = monitor.readers
        let prompt = configuration.pinentryProgram.map { PinentryPrompt(program: $0, timeout: configuration.pinPromptTimeout) }
        var candidates = CardCandidate.present(in: snapshots)
        var flow = AuthenticationFlow(context: AuthenticationContext(
            origin: request.origin, nonce: request.nonce, reader: request.reader,
            pageSentPIN: request.pin != nil, pagePINAllowed: request.pagePINAllowed,
            confirmFinalTry: request.confirmFinalTry, nativePromptAvailable: prompt != nil))
        // PIN pads are asked about only for the card the flow may pick (one control call), and
        // not at all when the page sent the PIN (the flow then uses it, pad or not).
        if request.pin == nil, let index = pinPadCandidateIndex(candidates, requested: request.reader) {
            candidates[index].hasPINPad = await readerHasPINPad(candidates[index].reader)
        }
        var action = flow.start(readers: snapshots.map(\.name), cards: candidates)
        guard case .readPINState(let reader) = action else {
            if case .fail(let error) = action { return .failure(error) }
            return .failure(.internal(detail: "unexpected first step \(action)"))
        }
        guard claim(reader) else { return .failure(.busy) }
        defer { release(reader) }
        let session: CardSession
        do throws(AuthenticationError) {
            guard let snapshot = snapshots.first(where: { $0.name == reader }) else { return .failure(.noCard) }
            session = try self.session(for: snapshot)
        } catch {
            return .failure(error)
        }
        var pin: SecretPIN?
        while true {
            do throws(AuthenticationError) {
                switch action {
                case .readPINState:
                    let state = try await call(reader) { () throws(AuthenticationError) in try await session.pinState() }
                    action = flow.pinStateRead(state)
                case .enterPIN(_, let method, let pinState, let confirmFinalTry):
                    if method == .page && !confirmFinalTry {
                        pin = request.pin
                        action = flow.pinEntered()
                        continue
                    }
                    // The holder is asked on this workstation: the PIN itself (native prompt), or
                    // the last try's confirmation before the pad or the page's PIN is used.
                    guard let prompt else { throw AuthenticationError.pinFinalTry }
                    let credentials = try await call(reader) { () throws(AuthenticationError) in try await session.readCredentials() }
                    let promptRequest = PINPromptRequest(
                        origin: request.origin, holderName: credentials.holder.displayName,
                        nationalId: credentials.holder.nationalId.value, triesLeft: pinState.triesLeft, confirmFinalTry: confirmFinalTry)
                    switch method {
                    case .page, .pinPad:
                        let confirmed = try await ask { cancellation in try prompt.confirm(promptRequest, cancellation: cancellation) }
                        if !confirmed { throw AuthenticationError.cancelled }
                        if method == .page { pin = request.pin }
                        action = flow.pinEntered(finalTryConfirmed: confirmed)
                    case .nativePrompt:
                        switch try await ask({ cancellation in try prompt.ask(promptRequest, cancellation: cancellation) }) {
                        case .cancelled:
                            throw AuthenticationError.cancelled
                        case .pin(let entered, let confirmed):
                            pin = entered
                            action = flow.pinEntered(finalTryConfirmed: confirmed)
                        }
                    }
                case .verifyPIN(_, let method):
                    let given = method == .pinPad ? nil : pin
                    pin = nil
                    let outcome = try await call(reader) { () throws(AuthenticationError) in try await session.verifyPIN(given) }
                    action = flow.verified(outcome)
                case .sign(_, let digestInfo):
                    let signature = try await call(reader) { () throws(AuthenticationError) in try await session.sign(digestInfo) }
                    action = flow.signed(signature)
                case .succeed(_, let signature):
                    let credentials = try await call(reader) { () throws(AuthenticationError) in try await session.readCredentials() }
                    logger.info("login for \(request.origin) with the card in \(reader): signed")
                    // The card forgets the PIN before the page gets its token (a few ms).
                    await session.endLogin()
                    return .success(AuthenticationResult(reader: reader, kind: session.presence.kind, signature: signature,
                                                         certificateDER: credentials.certificateDER, holder: credentials.holder))
                case .fail(let error):
                    logger.info("login for \(request.origin) with the card in \(reader): \(error.code)")
                    if error == .timeout || error == .cancelled {
                        // Never wait on a card that may be stalled: the reset queues behind it.
                        Task { await session.endLogin() }
                    } else {
                        await session.endLogin()
                    }
                    return .failure(error)
                }
            } catch {
                action = flow.fail(error)
            }
        }
    }

    /// A card call bounded by the operation timeout.
    private func call<T: Sendable>(_ reader: String, _ body: @escaping @Sendable () async throws(AuthenticationError) -> T) async throws(AuthenticationError) -> T {
        adjustActivity(reader, by: 1)
        let ticket = cardCallStarted()
        return try await withDeadline(configuration.operationTimeout, onFinish: { self.adjustActivity(reader, by: -1); self.cardCallEnded(ticket) }, body)
    }

    /// Runs a blocking prompt off the cooperative pool, bounded by the prompt timeout.
    ///
    /// The prompt never outlives the wait: cancelling the calling task (the page cancelled,
    /// its client went away), the timeout, or any other end closes it at once.
    private func ask<T: Sendable>(_ body: @escaping @Sendable (PromptCancellation) throws -> T) async throws(AuthenticationError) -> T {
        let cancellation = PromptCancellation()
        defer { cancellation.cancel() }
        let result: Result<T, AuthenticationError> = await withTaskCancellationHandler {
            do throws(AuthenticationError) {
                return Result<T, AuthenticationError>.success(try await withDeadline(configuration.pinPromptTimeout + .seconds(5)) { () throws(AuthenticationError) -> T in
                    do {
                        return try await BlockingExecutor(label: "cps-bridge.pinentry").run { try body(cancellation) }
                    } catch PinentryError.cancelled {
                        throw AuthenticationError.cancelled
                    } catch {
                        throw AuthenticationError.pinEntryUnavailable
                    }
                })
            } catch {
                return Result<T, AuthenticationError>.failure(error)
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    private func pinPadCandidateIndex(_ candidates: [CardCandidate], requested: String?) -> Int? {
        if let requested { return candidates.firstIndex { $0.reader == requested } }
        let usable = candidates.indices.filter { candidates[$0].kind.canAuthenticate }
        return usable.count == 1 ? usable[0] : nil
    }

    /// Whether the reader announces PC/SC part 10 PIN verification. Bounded: pcscd holds a
    /// reader's calls while a card call on it is stalled.
    private func readerHasPINPad(_ reader: String) async -> Bool {
        (try? await withDeadline(.seconds(2)) { () throws(AuthenticationError) -> Bool in
            do {
                return try await BlockingExecutor(label: "cps-bridge.features").run {
                    let connection = try CardConnection(context: PCSCContext(), reader: reader)
                    return connection.readerFeatures()[.verifyPINDirect] != nil
                }
            } catch {
                return false
            }
        }) ?? false
    }
}

extension HolderIdentity {
    /// "Given FAMILY", or what there is of it.
    public var displayName: String? {
        let parts = [givenName, familyName].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
