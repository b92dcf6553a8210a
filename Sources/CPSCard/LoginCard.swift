import PINEntry

/// How a PIN typed on the reader's PIN pad reaches the card.
public enum PINPadPath: String, Sendable, Hashable {
    /// The module's protected authentication path: `C_Login` with no PIN, the module drives
    /// the pad and knows the card is verified (OpenSC with a PIN-pad reader).
    case module
    /// Ours: the PC/SC part 10 structure from the card's profile, sent by `SCardControl`, then
    /// the card's own signature commands in the same PC/SC transaction (docs/PIN-ENTRY.md).
    case direct
}

/// Which pad path the daemon may take (`--pin-pad`).
public enum PINPadPolicy: String, Sendable, Hashable, CaseIterable {
    /// The module's path when the token offers it, else ours when the card's profile allows.
    case automatic = "auto"
    /// Only the module's protected authentication path.
    case module
    /// Only ours, even when the module offers its own.
    case direct
    /// Never use a PIN pad: the PIN is asked in the native prompt (or sent by the page).
    case off
}

/// The operations of one login on one card, one at a time: what the login driver
/// (`LoginDriver`) needs of a card.
///
/// `CardSession` is the real one (PKCS#11 and PC/SC on its own thread); tests of the driver use
/// a fake card. An actor: its calls run one at a time on the card's own executor, and a run of
/// them (`performCardSteps`) makes one hop. Every call may block on the card: the driver
/// bounds each hop with a deadline.
public protocol LoginCard: Actor {
    /// The reader the card is in.
    nonisolated var reader: String { get }
    /// The card's kind and answer to reset.
    nonisolated var presence: CardPresence { get }
    /// The thread the card's calls run on, as a task executor, if it has one: a card call's
    /// task starts there (`withDeadline`).
    nonisolated var cardThread: (any TaskExecutor)? { get }
    /// The PIN state, read without spending a try.
    func pinState() async throws(AuthenticationError) -> PINState
    /// The authentication certificate and its holder.
    func readCredentials() async throws(AuthenticationError) -> CardCredentials
    /// How a PIN typed on the reader would reach the card under `policy`; `nil` when the
    /// reader has no PIN pad or no path is possible for this card and module.
    func pinPadPath(_ policy: PINPadPolicy) async -> PINPadPath?
    /// Verifies a PIN entered on the computer. Never retried.
    func verifyPIN(_ pin: SecretPIN) async throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome
    /// Has the holder type the PIN on the reader's pad, `timeout` at most, through `path`.
    /// Never retried. Cancel on the pad gives `.cancelled`, no PIN in time `.timeout`.
    func verifyOnPINPad(_ path: PINPadPath, timeout: Duration) async throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome
    /// Signs `digestInfo` with the authentication key, after a successful verification.
    func sign(_ digestInfo: [UInt8]) async throws(AuthenticationError) -> [UInt8]
    /// Ends the login whatever its outcome: the card forgets the verified PIN.
    func endLogin() async
}

extension LoginCard {
    /// None by default (a test's fake card): the call's task runs on the global executor.
    public nonisolated var cardThread: (any TaskExecutor)? { nil }
}
