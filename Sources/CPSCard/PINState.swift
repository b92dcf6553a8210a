/// What is known of the user PIN before any PIN is sent.
public struct PINState: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Tries remain and more than one is left.
        case ok
        /// One try is left: the next wrong PIN blocks the card.
        case finalTry
        /// No try is left; only the PUK (at a registration desk) can unblock it.
        case blocked
        /// The card or module cannot tell; a login treats it as the final try.
        case unknown
    }

    public var state: State
    /// Exact tries left when the card tells it without spending a try; otherwise `nil`
    /// (the token flags then give only count-low / final-try / locked).
    public var triesLeft: Int?
    /// The card's maximum tries (3 on a CPS3).
    public var maxTries: Int?

    public init(state: State, triesLeft: Int? = nil, maxTries: Int? = nil) {
        self.state = state
        self.triesLeft = triesLeft
        self.maxTries = maxTries
    }

    /// From an exact count of tries left (IAS-ECC GET DATA or `63 Cx`).
    public static func exact(triesLeft: Int, maxTries: Int? = nil) -> PINState {
        PINState(state: triesLeft <= 0 ? .blocked : triesLeft == 1 ? .finalTry : .ok,
                 triesLeft: max(triesLeft, 0), maxTries: maxTries)
    }

    /// From PKCS#11 token flags only (count-low, final-try, locked).
    ///
    /// Silent flags do not say "all tries left": a module that cannot read the counter (or
    /// does not track it, as SoftHSM) leaves them all clear. So silence is `.unknown`, which the
    /// login treats as the last try; count-low alone says tries remain beyond the last.
    public static func fromTokenFlags(countLow: Bool, finalTry: Bool, locked: Bool) -> PINState {
        if locked { return PINState(state: .blocked, triesLeft: 0) }
        if finalTry { return PINState(state: .finalTry, triesLeft: 1) }
        if countLow { return PINState(state: .ok, triesLeft: nil) }
        return PINState(state: .unknown, triesLeft: nil)
    }
}
