@testable import CPSCard
import Logging
import PINEntry
import Synchronization
import Testing

/// Every branch of the login driver against a fake card and a scripted prompt: which PIN entry
/// is used, what the card is asked, in which order, and what the page gets. The same branches
/// run through the real chain in CardServiceTests and PINPadLoginTests.
@Suite struct LoginDriverTests {
    static let origin = "https://federator.example"

    func login(_ card: FakeCard, prompt: ScriptedPrompt? = nil, pad: PINPadPath? = nil, pagePIN: String? = nil,
               pagePINAllowed: Bool = false, confirmFinalTry: Bool = false,
               cardCalls: CallCounter = CallCounter()) async -> Result<AuthenticationResult, AuthenticationError> {
        let request = AuthenticationRequest(origin: Self.origin, nonce: "bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U=", pin: pagePIN.map { SecretPIN(utf8: $0) },
                                            pagePINAllowed: pagePINAllowed, confirmFinalTry: confirmFinalTry)
        let limits = CardCallLimits(operationTimeout: .seconds(5), padTimeout: .seconds(5), promptTimeout: .seconds(5),
                                    started: { cardCalls.count.withLock { $0 += 1; return $0 } })
        let driver = LoginDriver(request: request, card: card, prompt: prompt, padPath: pad, limits: limits, logger: Logger(label: "test"))
        return await driver.run(readers: [card.reader], cards: [CardCandidate(reader: card.reader, kind: .cps3)])
    }

    func error(_ result: Result<AuthenticationResult, AuthenticationError>) -> AuthenticationError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    // MARK: the reader's PIN pad

    @Test("a PIN pad with no native prompt logs in when no confirmation is needed", arguments: [PINPadPath.module, .direct])
    func padWithoutPrompt(path: PINPadPath) async throws {
        let card = FakeCard()
        let result = await login(card, pad: path)
        let signed = try result.get()
        #expect(signed.signature.first == 0x5A)
        #expect(await card.calls == ["pinState", "pad:\(path.rawValue)", "sign", "credentials", "end"])
    }

    @Test func aPadWithPromptAsksNothingInThePromptWhenTriesAreLeft() async throws {
        let card = FakeCard()
        let prompt = ScriptedPrompt()
        _ = try await login(card, prompt: prompt, pad: .module).get()
        #expect(prompt.requests.isEmpty)
        #expect(await card.calls.contains("pad:module"))
    }

    @Test("the final try on a pad without a native prompt stops before the pad",
          arguments: [PINState.exact(triesLeft: 1, maxTries: 3), PINState(state: .unknown)])
    func padFinalTryWithoutPrompt(state: PINState) async {
        let card = FakeCard(pinState: state)
        #expect(error(await login(card, pad: .module)) == .pinFinalTry)
        #expect(await card.calls == ["pinState", "end"])
    }

    @Test func padFinalTryConfirmedGoesToThePad() async throws {
        let card = FakeCard(pinState: .exact(triesLeft: 1, maxTries: 3))
        let prompt = ScriptedPrompt(confirm: true)
        _ = try await login(card, prompt: prompt, pad: .direct).get()
        #expect(prompt.requests == ["confirm"])
        #expect(await card.calls == ["pinState", "credentials", "pad:direct", "sign", "credentials", "end"])
    }

    @Test func padFinalTryDeclinedSendsNothing() async {
        let card = FakeCard(pinState: .exact(triesLeft: 1, maxTries: 3))
        #expect(error(await login(card, prompt: ScriptedPrompt(confirm: false), pad: .module)) == .cancelled)
        #expect(await !card.calls.contains { $0.hasPrefix("pad:") })
    }

    @Test("what the pad answers is what the page gets", arguments: [
        (Result<AuthenticationFlow.VerificationOutcome, AuthenticationError>.success(.incorrect(triesLeft: 2)), AuthenticationError.pinIncorrect(triesLeft: 2)),
        (.success(.incorrect(triesLeft: 0)), .pinBlocked),
        (.success(.blocked), .pinBlocked),
        (.failure(.cancelled), .cancelled),
        (.failure(.timeout), .timeout),
        (.failure(.cardRemoved), .cardRemoved),
    ])
    func padOutcomes(answer: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError>, expected: AuthenticationError) async throws {
        let card = FakeCard()
        await card.answerPad(answer)
        #expect(error(await login(card, pad: .module)) == expected)
        let calls = await card.calls
        #expect(!calls.contains("sign"))
        #expect(calls.filter { $0.hasPrefix("pad:") }.count == 1, "never retried")
        // The card forgets the login whatever happened (at once, or in the background after a
        // cancellation or a timeout).
        for _ in 0..<100 where await !card.calls.contains("end") { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await card.calls.last == "end")
    }

    @Test func aBlockedCardNeverReachesThePad() async {
        let card = FakeCard(pinState: PINState(state: .blocked, triesLeft: 0))
        #expect(error(await login(card, prompt: ScriptedPrompt(), pad: .module)) == .pinBlocked)
        #expect(await card.calls == ["pinState", "end"])
    }

    // MARK: the native prompt

    @Test func theNativePromptsPINIsVerified() async throws {
        let card = FakeCard()
        let prompt = ScriptedPrompt(ask: .pin("4321"))
        _ = try await login(card, prompt: prompt).get()
        #expect(prompt.requests == ["ask"])
        #expect(await card.calls == ["pinState", "credentials", "verify:4321", "sign", "credentials", "end"])
    }

    @Test func aDismissedPromptIsCancelled() async {
        let card = FakeCard()
        #expect(error(await login(card, prompt: ScriptedPrompt(ask: .dismissed))) == .cancelled)
        #expect(await !card.calls.contains { $0.hasPrefix("verify") })
    }

    @Test func aPromptThatCannotStartIsUnavailable() async {
        let card = FakeCard()
        #expect(error(await login(card, prompt: ScriptedPrompt(ask: .fails))) == .pinEntryUnavailable)
        #expect(await !card.calls.contains { $0.hasPrefix("verify") })
    }

    @Test func theFinalTryInThePromptIsConfirmedFirst() async throws {
        let card = FakeCard(pinState: .exact(triesLeft: 1, maxTries: 3))
        let prompt = ScriptedPrompt(ask: .pin("1234"), confirm: true)
        _ = try await login(card, prompt: prompt).get()
        #expect(prompt.requests == ["ask+confirm"])
    }

    @Test func noPadNoPromptNoPagePINIsUnavailable() async {
        let card = FakeCard()
        #expect(error(await login(card)) == .pinEntryUnavailable)
        #expect(await card.calls.isEmpty)
    }

    @Test func aWrongPINInThePromptIsNotRetried() async {
        let card = FakeCard()
        await card.answerVerify(.success(.incorrect(triesLeft: 2)))
        let prompt = ScriptedPrompt(ask: .pin("0000"))
        #expect(error(await login(card, prompt: prompt)) == .pinIncorrect(triesLeft: 2))
        #expect(prompt.requests == ["ask"])
        #expect(await card.calls.filter { $0.hasPrefix("verify") } == ["verify:0000"])
    }

    // MARK: the page's PIN

    @Test func anAllowedPagesPINIsUsedEvenWithAPad() async throws {
        let card = FakeCard()
        let prompt = ScriptedPrompt()
        _ = try await login(card, prompt: prompt, pad: .module, pagePIN: "1234", pagePINAllowed: true).get()
        #expect(prompt.requests.isEmpty)
        #expect(await card.calls == ["pinState", "verify:1234", "sign", "credentials", "end"])
    }

    @Test func aPagePINLoginIsOneCallOnTheCard() async throws {
        let card = FakeCard()
        let calls = CallCounter()
        _ = try await login(card, pagePIN: "1234", pagePINAllowed: true, cardCalls: calls).get()
        #expect(calls.count.withLock { $0 } == 1, "PIN state, verification, signature, credentials and the end in one hop, under one deadline")
        #expect(await card.calls == ["pinState", "verify:1234", "sign", "credentials", "end"])
    }

    @Test func theLoginReportsTheTimeItsCardCallsTook() async throws {
        let card = FakeCard()
        await card.takeTimeToSign(.milliseconds(40))
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await login(card, pagePIN: "1234", pagePINAllowed: true).get()
        let wall = clock.now - start
        #expect(result.cardTime >= .milliseconds(40), "the signature's time is the card's")
        #expect(result.cardTime <= wall)
    }

    @Test func aPromptLoginCallsTheCardOnlyAroundThePrompt() async throws {
        let card = FakeCard()
        let calls = CallCounter()
        _ = try await login(card, prompt: ScriptedPrompt(ask: .pin("1234")), cardCalls: calls).get()
        // PIN state; the holder's name for the prompt; then verification to the end.
        #expect(calls.count.withLock { $0 } == 3)
    }

    @Test func aPagePINFromAnotherOriginNeverReachesTheCard() async {
        let card = FakeCard()
        #expect(error(await login(card, pagePIN: "1234")) == .pagePINNotAllowed)
        #expect(await card.calls.isEmpty)
    }

    @Test("the page's final try needs the page's and the holder's confirmation", arguments: [
        (false, true, nil as ScriptedPrompt?, AuthenticationError.pinFinalTry),
        (true, true, nil, .pinFinalTry),
        (true, false, ScriptedPrompt(confirm: false), .cancelled),
        (false, false, ScriptedPrompt(confirm: true), .pinFinalTry),
    ])
    func pageFinalTryRefused(pageConfirms: Bool, _: Bool, prompt: ScriptedPrompt?, expected: AuthenticationError) async {
        let card = FakeCard(pinState: PINState(state: .unknown))
        #expect(error(await login(card, prompt: prompt, pagePIN: "1234", pagePINAllowed: true, confirmFinalTry: pageConfirms)) == expected)
        #expect(await !card.calls.contains { $0.hasPrefix("verify") })
    }

    @Test func thePagesFinalTryWithBothConfirmationsIsVerified() async throws {
        let card = FakeCard(pinState: .exact(triesLeft: 1, maxTries: 3))
        let prompt = ScriptedPrompt(confirm: true)
        _ = try await login(card, prompt: prompt, pagePIN: "1234", pagePINAllowed: true, confirmFinalTry: true).get()
        #expect(prompt.requests == ["confirm"])
        #expect(await card.calls.contains("verify:1234"))
    }
}

/// Counts the driver's calls on the card.
final class CallCounter: Sendable {
    let count = Mutex(0)
}
