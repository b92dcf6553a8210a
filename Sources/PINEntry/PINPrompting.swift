/// A native prompt on this workstation: asks the holder for the PIN, or only for the
/// confirmation of the final try. `PinentryPrompt` is the real one; tests of the login driver
/// use a scripted one.
///
/// Both calls block until the person answers (or `cancellation` takes the prompt down): make
/// them off the cooperative pool.
public protocol PINPrompting: Sendable {
    /// How long the person has to answer.
    var timeout: Duration { get }
    /// Shows the prompt and waits for the PIN (after the final-try confirmation when
    /// `request.confirmFinalTry`).
    /// - Throws: `PinentryError` (`.cancelled` when taken down).
    func ask(_ request: PINPromptRequest, cancellation: PromptCancellation?) throws -> PINPromptResult
    /// Asks only for the final-try confirmation; true when the person confirmed.
    /// - Throws: `PinentryError` (`.cancelled` when taken down).
    func confirm(_ request: PINPromptRequest, cancellation: PromptCancellation?) throws -> Bool
}

extension PinentryPrompt: PINPrompting {}
