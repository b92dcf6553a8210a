import CPSIdentity
import Logging
import PCSC
import PINEntry

extension CardService {
    /// Logs in with the card: chooses it, reads the PIN state, has the PIN entered, verifies
    /// it and signs the Web eID construction over `request.origin` and `request.nonce`.
    ///
    /// Every wait is bounded; cancelling the calling task ends it with `.cancelled` (and takes
    /// a native prompt down at once). Never sends a PIN to a blocked card, never uses the last
    /// try (or one that may be) without the holder's native confirmation, never retries a
    /// wrong PIN. The steps are `LoginDriver`'s; here the card is chosen, claimed, and its
    /// reader's PIN pad looked at.
    public func authenticate(_ request: AuthenticationRequest) async -> Result<AuthenticationResult, AuthenticationError> {
        await waitUntilReady()
        guard monitor.isServiceAvailable else {
            return .failure(.internal(detail: "pcscd is not running or refuses us"))
        }
        let snapshots = monitor.readers
        let readers = snapshots.map(\.name)
        let candidates = CardCandidate.present(in: snapshots)
        // The card the flow will pick (the same rule), claimed before anything touches it.
        guard case .success(let chosen) = AuthenticationFlow.chooseCard(readers: readers, cards: candidates, wanted: request.reader),
              let snapshot = snapshots.first(where: { $0.name == chosen.reader }) else {
            var flow = AuthenticationFlow(context: AuthenticationContext(origin: request.origin, nonce: request.nonce, reader: request.reader))
            if case .fail(let error) = flow.start(readers: readers, cards: candidates) { return .failure(error) }
            return .failure(.noCard)
        }
        let reader = chosen.reader
        guard claim(reader) else { return .failure(.busy) }
        defer { release(reader) }
        let session: CardSession
        do throws(AuthenticationError) {
            session = try self.session(for: snapshot)
        } catch {
            return .failure(error)
        }
        let limits = CardCallLimits(
            operationTimeout: configuration.operationTimeout, padTimeout: configuration.pinPadTimeout,
            promptTimeout: configuration.pinPromptTimeout,
            started: { self.adjustActivity(reader, by: 1); return self.cardCallStarted() },
            ended: { ticket in self.adjustActivity(reader, by: -1); self.cardCallEnded(ticket) })
        // The pad is looked at only when the page sent no PIN (the flow then uses the page's).
        var padPath: PINPadPath?
        if request.pin == nil, configuration.pinPad != .off {
            let policy = configuration.pinPad
            padPath = try? await withDeadline(.seconds(5), on: session.cardThread) { () throws(AuthenticationError) -> PINPadPath? in
                await session.pinPadPath(policy)
            }
        }
        let prompt = configuration.pinentryProgram.map { PinentryPrompt(program: $0, timeout: configuration.pinPromptTimeout) }
        let driver = LoginDriver(request: request, card: session, prompt: prompt, padPath: padPath, limits: limits, logger: logger)
        return await driver.run(readers: readers, cards: candidates)
    }
}

extension HolderIdentity {
    /// "Given FAMILY", or what there is of it.
    public var displayName: String? {
        let parts = [givenName, familyName].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
