import CPSCard
import PINEntry
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

    /// The last-try rules, for one try left and for a count that cannot be read:
    /// (PIN state, page sent PIN, page confirmed, PIN pad, native prompt) -> answer to the PIN state.
    @Test(arguments: [PINState.exact(triesLeft: 1), PINState(state: .unknown), PINState.fromTokenFlags(countLow: false, finalTry: false, locked: false)])
    func theLastTryNeedsTheHoldersNativeConfirmation(state: PINState) {
        let r1 = Self.r1
        let table: [(page: Bool, confirm: Bool, pad: Bool, prompt: Bool, expected: AuthenticationFlow.Action)] = [
            // A page's PIN: its confirmation is necessary, never enough.
            (true, false, false, false, .fail(.pinFinalTry)),
            (true, true, false, false, .fail(.pinFinalTry)),
            (true, false, false, true, .fail(.pinFinalTry)),
            (true, true, false, true, .enterPIN(reader: r1, method: .page, pinState: state, confirmFinalTry: true)),
            (true, true, true, true, .enterPIN(reader: r1, method: .page, pinState: state, confirmFinalTry: true)),
            // The native prompt confirms, then asks for the PIN.
            (false, false, false, true, .enterPIN(reader: r1, method: .nativePrompt, pinState: state, confirmFinalTry: true)),
            // A PIN pad: the prompt's confirmation first; no prompt, no pad.
            (false, false, true, true, .enterPIN(reader: r1, method: .pinPad, pinState: state, confirmFinalTry: true)),
            (false, false, true, false, .fail(.pinFinalTry)),
        ]
        for row in table {
            var f = flow(pagePIN: row.page, confirm: row.confirm, prompt: row.prompt)
            let first = f.start(readers: [r1], cards: [CardCandidate(reader: r1, kind: .cps3, hasPINPad: row.pad)])
            let answer = first == .readPINState(reader: r1) ? f.pinStateRead(state) : first
            #expect(answer == row.expected, "\(row)")
        }
    }

    /// After the PIN entry: without the native confirmation, nothing is verified, whatever the method.
    @Test(arguments: [(true, true), (false, false)])
    func noConfirmationNoVerification(page: Bool, pad: Bool) {
        for state in [PINState.exact(triesLeft: 1), PINState(state: .unknown)] {
            var refused = flow(pagePIN: page, confirm: true, prompt: true)
            _ = refused.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3, hasPINPad: pad)])
            _ = refused.pinStateRead(state)
            #expect(refused.pinEntered(finalTryConfirmed: false) == .fail(.pinFinalTry))
            #expect(refused.phase == .failed)

            var confirmed = flow(pagePIN: page, confirm: true, prompt: true)
            _ = confirmed.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3, hasPINPad: pad)])
            guard case .enterPIN(_, let method, _, true) = confirmed.pinStateRead(state) else { Issue.record("no confirmation asked"); continue }
            #expect(confirmed.pinEntered(finalTryConfirmed: true) == .verifyPIN(reader: Self.r1, method: method))
        }
    }

    /// With tries to spare nothing more is asked, and silent token flags are not "tries to spare".
    @Test func triesToSpareNeedNoConfirmation() {
        for state in [PINState.exact(triesLeft: 2), PINState.fromTokenFlags(countLow: true, finalTry: false, locked: false)] {
            var f = flow()
            _ = f.start(readers: [Self.r1], cards: [CardCandidate(reader: Self.r1, kind: .cps3)])
            #expect(f.pinStateRead(state) == .enterPIN(reader: Self.r1, method: .page, pinState: state, confirmFinalTry: false))
            #expect(f.pinEntered() == .verifyPIN(reader: Self.r1, method: .page))
        }
        #expect(PINState.fromTokenFlags(countLow: false, finalTry: false, locked: false).state == .unknown)
        #expect(AuthenticationFlow.isLastTry(PINState(state: .unknown)))
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
