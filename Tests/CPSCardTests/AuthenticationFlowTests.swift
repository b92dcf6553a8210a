import CPSCard
import Testing

@Suite struct AuthenticationFlowTests {
    static let origin = "https://auth.esw.esante.gouv.fr"
    static let nonce = String(repeating: "A", count: 44)
    static let r1 = "Reader 00 00"
    static let r2 = "Reader 01 00"

    func flow(reader: String? = nil, pagePIN: Bool = true, allowed: Bool = true, confirm: Bool = false, prompt: Bool = false) -> AuthenticationFlow {
        AuthenticationFlow(context: AuthenticationContext(origin: Self.origin, nonce: Self.nonce, reader: reader, pageSentPIN: pagePIN,
                                                          pagePINAllowed: allowed, confirmFinalTry: confirm, nativePromptAvailable: prompt))
    }

    @Test func happyPathWithAPagePIN() {
        var f = flow()
        #expect(f.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)]) == .readPINState(reader: Self.r1))
        #expect(f.pinStateRead(.exact(triesLeft: 3)) == .enterPIN(reader: Self.r1, method: .page, pinState: .exact(triesLeft: 3), confirmFinalTry: false))
        #expect(f.pinEntered() == .verifyPIN(reader: Self.r1, method: .page))
        #expect(f.verified(.verified) == .sign(reader: Self.r1, digestInfo: SignedData.digestInfo(origin: Self.origin, nonce: Self.nonce)))
        #expect(f.signed([1, 2, 3]) == .succeed(reader: Self.r1, signature: [1, 2, 3]))
        #expect(f.phase == .finished)
    }

    /// Card choice: (readers, cards, requested reader) -> first action.
    @Test(arguments: [
        ([], [], nil, AuthenticationFlow.Action.fail(.noReader)),
        ([r1], [], nil, .fail(.noCard)),
        ([r1, r2], [CardCandidate(reader: r1, kind: .cps3), CardCandidate(reader: r2, kind: .cps3)], nil, .fail(.readerRequired(readers: [r1, r2]))),
        ([r1, r2], [CardCandidate(reader: r1, kind: .cps3), CardCandidate(reader: r2, kind: .cps3)], r2, .readPINState(reader: r2)),
        ([r1, r2], [CardCandidate(reader: r1, kind: .cps3)], r2, .fail(.noCard)),
        ([r1], [CardCandidate(reader: r1, kind: .cps3)], "Elsewhere", .fail(.readerRequired(readers: [r1]))),
        ([r1], [CardCandidate(reader: r1, kind: .cps2ter)], nil, .fail(.unsupportedCard(reason: CardKind.cps2ter.unsupportedReason!))),
        ([r1], [CardCandidate(reader: r1, kind: .unknown)], nil, .fail(.unsupportedCard(reason: CardKind.unknown.unsupportedReason!))),
        // A CPx card beside an unknown card is chosen without asking.
        ([r1, r2], [CardCandidate(reader: r1, kind: .unknown), CardCandidate(reader: r2, kind: .cps3)], nil, .readPINState(reader: r2)),
    ] as [([String], [CardCandidate], String?, AuthenticationFlow.Action)])
    func choosesTheCard(readers: [String], cards: [CardCandidate], requested: String?, expected: AuthenticationFlow.Action) {
        var f = flow(reader: requested)
        #expect(f.start(readers: readers, cards: cards) == expected)
    }

    /// PIN entry method: (page sent PIN, allowed, PIN pad, prompt) -> first action's method or error.
    @Test(arguments: [
        (true, false, false, true, AuthenticationFlow.Action.fail(.pagePINNotAllowed)),
        (false, false, false, false, .fail(.pinEntryUnavailable)),
        (false, true, false, false, .fail(.pinEntryUnavailable)),
        (false, false, true, true, .readPINState(reader: r1)),
        (false, false, false, true, .readPINState(reader: r1)),
    ])
    func decidesPINEntryBeforeTouchingTheCard(pagePIN: Bool, allowed: Bool, pinPad: Bool, prompt: Bool, expected: AuthenticationFlow.Action) {
        var f = flow(pagePIN: pagePIN, allowed: allowed, prompt: prompt)
        #expect(f.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3, hasPINPad: pinPad)]) == expected)
    }

    @Test func pinPadIsPreferredOverThePrompt() {
        var f = flow(pagePIN: false, prompt: true)
        _ = f.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3, hasPINPad: true)])
        guard case .enterPIN(_, let method, _, _) = f.pinStateRead(.exact(triesLeft: 3)) else { Issue.record("no PIN entry"); return }
        #expect(method == .pinPad)
    }

    @Test func aBlockedPINIsNeverSent() {
        var f = flow()
        _ = f.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
        #expect(f.pinStateRead(.exact(triesLeft: 0)) == .fail(.pinBlocked))
        #expect(f.phase == .failed)
    }

    /// Final try: (page PIN?, page confirmation, prompt confirmation) -> outcome after entry.
    @Test func theFinalTryNeedsAnExplicitConfirmation() {
        var page = flow(confirm: false)
        _ = page.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
        #expect(page.pinStateRead(.exact(triesLeft: 1)) == .fail(.pinFinalTry))

        var confirmed = flow(confirm: true)
        _ = confirmed.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
        #expect(confirmed.pinStateRead(.exact(triesLeft: 1)) == .enterPIN(reader: Self.r1, method: .page, pinState: .exact(triesLeft: 1), confirmFinalTry: false))
        #expect(confirmed.pinEntered() == .verifyPIN(reader: Self.r1, method: .page))

        var prompt = flow(pagePIN: false, prompt: true)
        _ = prompt.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
        #expect(prompt.pinStateRead(.exact(triesLeft: 1)) == .enterPIN(reader: Self.r1, method: .nativePrompt, pinState: .exact(triesLeft: 1), confirmFinalTry: true))
        #expect(prompt.pinEntered(finalTryConfirmed: false) == .fail(.pinFinalTry))

        var promptYes = flow(pagePIN: false, prompt: true)
        _ = promptYes.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
        _ = promptYes.pinStateRead(.exact(triesLeft: 1))
        #expect(promptYes.pinEntered(finalTryConfirmed: true) == .verifyPIN(reader: Self.r1, method: .nativePrompt))
    }

    /// Verification outcomes are reported, never retried.
    @Test(arguments: [
        (AuthenticationFlow.VerificationOutcome.incorrect(triesLeft: 2), AuthenticationFlow.Action.fail(.pinIncorrect(triesLeft: 2))),
        (.incorrect(triesLeft: 0), .fail(.pinBlocked)),
        (.blocked, .fail(.pinBlocked)),
    ])
    func aWrongPINEndsTheFlow(outcome: AuthenticationFlow.VerificationOutcome, expected: AuthenticationFlow.Action) {
        var f = flow()
        _ = f.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
        _ = f.pinStateRead(.exact(triesLeft: 3))
        _ = f.pinEntered()
        #expect(f.verified(outcome) == expected)
        #expect(f.phase == .failed)
    }

    @Test func eventsOutOfOrderFail() {
        var f = flow()
        #expect(f.signed([1]) == .fail(.internal(detail: "unexpected signature")))
    }
}
