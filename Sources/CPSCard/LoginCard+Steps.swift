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
        while true {
            do throws(AuthenticationError) {
                switch action {
                case .readPINState:
                    action = flow.pinStateRead(try await pinState())
                case .enterPIN(_, let method, _, let confirmFinalTry) where !confirmFinalTry && method != .nativePrompt:
                    // The page's PIN, or the pad, with tries to spare: nothing to ask anyone.
                    if method != .page { pin = nil }
                    action = flow.pinEntered()
                case .verifyPIN(_, let method) where method != .pinPad:
                    guard let given = pin else { throw AuthenticationError.internal(detail: "no PIN to verify") }
                    pin = nil
                    action = flow.verified(try await verifyPIN(given))
                case .sign(_, let digestInfo):
                    action = flow.signed(try await sign(digestInfo))
                case .succeed:
                    let credentials = try await readCredentials()
                    // The card forgets the PIN before the page gets its token (a few ms).
                    await endLogin()
                    return CardSteps(flow: flow, next: action, credentials: credentials, ended: true)
                case .fail(let error) where error != .timeout && error != .cancelled:
                    await endLogin()
                    return CardSteps(flow: flow, next: action, credentials: nil, ended: true)
                default:
                    return CardSteps(flow: flow, next: action, credentials: nil, ended: false)
                }
            } catch {
                action = flow.fail(error)
            }
        }
    }
}
