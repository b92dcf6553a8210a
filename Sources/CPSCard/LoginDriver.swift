import CPSIdentity
import Logging
import PCSC
import PINEntry

/// The bounds and bookkeeping of a login's card calls, set by `CardService`.
struct CardCallLimits: Sendable {
    /// Upper bound of each card call (PIN state, verify, sign).
    var operationTimeout: Duration
    /// How long the holder has to type the PIN on the reader's pad.
    var padTimeout: Duration
    /// How long the holder has to answer the native prompt.
    var promptTimeout: Duration
    /// Called as a card call starts; its answer goes back to `ended` when the call really
    /// ends (a call past its deadline keeps running on the card's thread).
    var started: @Sendable () -> Int = { 0 }
    var ended: @Sendable (Int) -> Void = { _ in }
}

/// Drives one login on one card: performs what `AuthenticationFlow` asks, on the card
/// (`LoginCard`) and the native prompt (`PINPrompting`), each step bounded, and reports back.
///
/// It holds no rule of its own: which PIN entry, when the last try may be spent, what a card
/// answer means, are the flow's. Every branch is unit-tested against a fake card and a
/// scripted prompt (`LoginDriverTests`), and through the real chain (`CardServiceTests`,
/// `PINPadLoginTests`).
struct LoginDriver: Sendable {
    let request: AuthenticationRequest
    let card: any LoginCard
    let prompt: (any PINPrompting)?
    /// How a PIN typed on the card's reader would reach it; `nil`: no usable PIN pad.
    let padPath: PINPadPath?
    let limits: CardCallLimits
    let logger: Logger

    /// Runs the login with the readers and cards present (the card of `card.reader` among them).
    func run(readers: [String], cards: [CardCandidate]) async -> Result<AuthenticationResult, AuthenticationError> {
        var cards = cards
        if let index = cards.firstIndex(where: { $0.reader == card.reader }) { cards[index].hasPINPad = padPath != nil }
        var flow = AuthenticationFlow(context: AuthenticationContext(
            origin: request.origin, nonce: request.nonce, reader: request.reader,
            pageSentPIN: request.pin != nil, pagePINAllowed: request.pagePINAllowed,
            confirmFinalTry: request.confirmFinalTry, nativePromptAvailable: prompt != nil))
        var action = flow.start(readers: readers, cards: cards)
        switch action {
        case .readPINState(let reader) where reader == card.reader: break
        case .fail(let error): return .failure(error)
        default: return .failure(.internal(detail: "unexpected first step \(action)"))
        }
        let reader = card.reader
        // The PIN entered on the computer (the page's, or the prompt's), until verified.
        var pin: SecretPIN? = request.pin
        var cardClock = CardClock()
        while true {
            do throws(AuthenticationError) {
                switch action {
                case .readPINState, .sign, .succeed,
                     .verifyPIN(_, .page), .verifyPIN(_, .nativePrompt),
                     .enterPIN(_, .page, _, false), .enterPIN(_, .pinPad, _, false):
                    // Card work, in one go on the card: up to a step that needs someone, or the end.
                    let (current, step, given) = (flow, action, pin)
                    pin = nil
                    let steps = try await call { await card.performCardSteps(current, from: step, pin: given) }
                    cardClock.add(steps.cardTime)
                    flow = steps.flow
                    action = steps.next
                    if case .succeed(_, let signature) = action, let credentials = steps.credentials {
                        logger.info("login for \(request.origin) with the card in \(reader): signed")
                        return .success(AuthenticationResult(reader: reader, kind: card.presence.kind, signature: signature,
                                                             certificateDER: credentials.certificateDER, holder: credentials.holder,
                                                             cardTime: cardClock.total))
                    }
                    if case .fail(let error) = action, steps.ended {
                        logger.info("login for \(request.origin) with the card in \(reader): \(error.code)")
                        return .failure(error)
                    }
                case .enterPIN(_, let method, let pinState, let confirmFinalTry):
                    // The holder is asked on this workstation: the PIN itself (native prompt), or
                    // the last try's confirmation before the pad or the page's PIN is used.
                    guard let prompt else { throw method == .nativePrompt ? .pinEntryUnavailable : .pinFinalTry }
                    let (credentials, spent) = try await call { () throws(AuthenticationError) in
                        try await CardClock.measure { () throws(AuthenticationError) in try await card.readCredentials() }
                    }
                    cardClock.add(spent)
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
                case .verifyPIN(_, _):
                    // The reader's pad: the holder has the pad's timeout, then the card its own.
                    guard let padPath else { throw AuthenticationError.pinEntryUnavailable }
                    let timeout = limits.padTimeout
                    logger.info("login for \(request.origin): waiting for the PIN on the reader \(reader) (\(padPath.rawValue) path)")
                    let (outcome, spent) = try await call(limit: timeout + limits.operationTimeout) { () throws(AuthenticationError) in
                        try await CardClock.measure { () throws(AuthenticationError) in try await card.verifyOnPINPad(padPath, timeout: timeout) }
                    }
                    cardClock.add(spent)
                    action = flow.verified(outcome)
                case .fail(let error):
                    logger.info("login for \(request.origin) with the card in \(reader): \(error.code)")
                    if error == .timeout || error == .cancelled {
                        // Never wait on a card that may be stalled: the reset queues behind it.
                        let card = self.card
                        Task { await card.endLogin() }
                    } else {
                        await card.endLogin()
                    }
                    return .failure(error)
                }
            } catch {
                action = flow.fail(error)
            }
        }
    }

    /// A card call bounded by `limit` (the operation timeout by default).
    private func call<T: Sendable>(limit: Duration? = nil, _ body: @escaping @Sendable () async throws(AuthenticationError) -> T) async throws(AuthenticationError) -> T {
        let ticket = limits.started()
        let ended = limits.ended
        return try await withDeadline(limit ?? limits.operationTimeout, on: card.cardThread, onFinish: { ended(ticket) }, body)
    }

    /// Runs a blocking prompt off the cooperative pool, bounded by the prompt timeout.
    ///
    /// The prompt never outlives the wait: cancelling the calling task (the page cancelled,
    /// its client went away), the timeout, or any other end closes it at once.
    private func ask<T: Sendable>(_ body: @escaping @Sendable (PromptCancellation) throws -> T) async throws(AuthenticationError) -> T {
        let cancellation = PromptCancellation()
        defer { cancellation.cancel() }
        let limit = limits.promptTimeout + .seconds(5)
        let result: Result<T, AuthenticationError> = await withTaskCancellationHandler {
            do throws(AuthenticationError) {
                return Result<T, AuthenticationError>.success(try await withDeadline(limit) { () throws(AuthenticationError) -> T in
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
}
