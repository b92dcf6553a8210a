import PINEntry

/// Where a run of card steps stopped.
struct CardSteps: Sendable {
    /// The flow as it then stands.
    var flow: AuthenticationFlow
    /// The next action: one that needs a person (prompt, pad) or the driver (the end).
    var next: AuthenticationFlow.Action
    /// Read at `.succeed`: the certificate and holder that go with the signature.
    var credentials: CardCredentials?
    /// The login was ended on the card (`endLogin`) before returning.
    var ended: Bool
    /// How long the card stack's calls of this run took (`CardClock`).
    var cardTime: Duration
}

/// Sums the time of the card stack's calls (PC/SC, the PKCS#11 module, the card; a PIN pad's
/// wait too): what a login spends outside the daemon's own code. The rest of its time is the
/// daemon's share (HTTP, JSON, the flow, the token, the hand-offs between threads), which the
/// answer's `Server-Timing` lets a developer and the bench tell apart.
struct CardClock {
    private(set) var total: Duration = .zero

    mutating func add(_ time: Duration) { total += time }

    /// Runs `call` and adds its time.
    mutating func time<T, E: Error>(isolation: isolated (any Actor)? = #isolation, _ call: () async throws(E) -> T) async throws(E) -> T {
        let (value, spent) = try await Self.measure(isolation: isolation, call)
        total += spent
        return value
    }

    /// Runs `call` and returns its result with its time (for a call made on the card's thread
    /// whose time is added back on the caller's side).
    static func measure<T, E: Error>(isolation: isolated (any Actor)? = #isolation, _ call: () async throws(E) -> T) async throws(E) -> (T, Duration) {
        let start = ContinuousClock.now
        let value = try await call()
        return (value, ContinuousClock.now - start)
    }
}

extension LoginCard {
    /// Performs the flow's card steps from `action` on, in one go on the card's own thread:
    /// PIN state, the page's PIN at hand, verification of a PIN entered on the computer,
    /// signature, credentials, end of the login. Returns at the first step that needs someone
    /// (the native prompt, the reader's pad), or at the end. A page-PIN login is thus one call
    /// on the card, under one deadline (the driver's).
    func performCardSteps(_ flow: AuthenticationFlow, from action: AuthenticationFlow.Action, pin: SecretPIN?) async -> CardSteps {
        var flow = flow
        var action = action
        var pin = pin
        var card = CardClock()
        while true {
            do throws(AuthenticationError) {
                switch action {
                case .readPINState:
                    action = flow.pinStateRead(try await card.time { () throws(AuthenticationError) in try await pinState() })
                case .enterPIN(_, let method, _, let confirmFinalTry) where !confirmFinalTry && method != .nativePrompt:
                    // The page's PIN, or the pad, with tries to spare: nothing to ask anyone.
                    if method != .page { pin = nil }
                    action = flow.pinEntered()
                case .verifyPIN(_, let method) where method != .pinPad:
                    guard let given = pin else { throw AuthenticationError.internal(detail: "no PIN to verify") }
                    pin = nil
                    action = flow.verified(try await card.time { () throws(AuthenticationError) in try await verifyPIN(given) })
                case .sign(_, let digestInfo):
                    action = flow.signed(try await card.time { () throws(AuthenticationError) in try await sign(digestInfo) })
                case .succeed:
                    let credentials = try await card.time { () throws(AuthenticationError) in try await readCredentials() }
                    // The card forgets the PIN before the page gets its token (a few ms).
                    await card.time { await endLogin() }
                    return CardSteps(flow: flow, next: action, credentials: credentials, ended: true, cardTime: card.total)
                case .fail(let error) where error != .timeout && error != .cancelled:
                    await card.time { await endLogin() }
                    return CardSteps(flow: flow, next: action, credentials: nil, ended: true, cardTime: card.total)
                default:
                    return CardSteps(flow: flow, next: action, credentials: nil, ended: false, cardTime: card.total)
                }
            } catch {
                action = flow.fail(error)
            }
        }
    }
}
