@testable import CPSCard
import CPSIdentity
import Crypto
import Foundation
import PINEntry
import SwiftASN1
import Synchronization
import X509

/// A card for the login driver's unit tests: scripted answers, and the list of what was asked
/// of it. No PC/SC, no module.
actor FakeCard: LoginCard {
    nonisolated let reader: String
    nonisolated let presence: CardPresence
    var pinStateAnswer: Result<PINState, AuthenticationError>
    var verifyAnswer: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError> = .success(.verified)
    var padAnswer: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError> = .success(.verified)
    /// What the driver asked, in order: "pinState", "credentials", "verify:<pin>", "pad:<path>", "sign", "end".
    private(set) var calls: [String] = []
    /// How long signing blocks, as a real card's signature does.
    var signTime: Duration = .zero

    init(reader: String = "Fake Reader 00 00", pinState: PINState = .exact(triesLeft: 3, maxTries: 3)) {
        self.reader = reader
        presence = CardPresence(atr: CardKindTable.hex("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"))
        pinStateAnswer = .success(pinState)
    }

    func answerVerify(_ answer: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError>) { verifyAnswer = answer }
    func answerPad(_ answer: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError>) { padAnswer = answer }

    func pinState() throws(AuthenticationError) -> PINState {
        calls.append("pinState")
        return try pinStateAnswer.get()
    }

    func readCredentials() throws(AuthenticationError) -> CardCredentials {
        calls.append("credentials")
        return FakeCard.credentials
    }

    func pinPadPath(_ policy: PINPadPolicy) -> PINPadPath? {
        calls.append("padPath")
        return nil
    }

    func verifyPIN(_ pin: SecretPIN) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        calls.append("verify:" + pin.withBytes { String(decoding: $0, as: UTF8.self) })
        return try verifyAnswer.get()
    }

    func verifyOnPINPad(_ path: PINPadPath, timeout: Duration) throws(AuthenticationError) -> AuthenticationFlow.VerificationOutcome {
        calls.append("pad:\(path.rawValue)")
        return try padAnswer.get()
    }

    func takeTimeToSign(_ time: Duration) { signTime = time }

    func sign(_ digestInfo: [UInt8]) throws(AuthenticationError) -> [UInt8] {
        calls.append("sign")
        if signTime > .zero { usleep(UInt32(signTime.components.seconds * 1_000_000 + signTime.components.attoseconds / 1_000_000_000_000)) }
        return [0x5A] + digestInfo.prefix(3)
    }

    func endLogin() {
        calls.append("end")
    }

    /// A holder certificate of the test kind (self-signed, P-256: only its subject matters here).
    static let credentials: CardCredentials = {
        let key = P256.Signing.PrivateKey()
        let name = try! DistinguishedName {
            CountryName("FR")
            CommonName("899700012345")
        }
        let certificate = try! Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: Date() - 60, notValidAfter: Date() + 3600, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: .init(key))
        let der = try! certificate.serializeAsPEM().derBytes
        return CardCredentials(certificateDER: der, certificate: certificate,
                               holder: try! HolderIdentity(certificate: certificate), objectID: [0x02])
    }()
}

/// A native prompt for the driver's tests: answers as scripted, counts what it was asked.
final class ScriptedPrompt: PINPrompting, Sendable {
    enum Answer: Sendable {
        case pin(String)
        case dismissed
        case fails
    }

    let timeout: Duration = .seconds(5)
    private let askAnswer: Answer
    private let confirmAnswer: Bool
    private let log = Mutex<[String]>([])

    init(ask: Answer = .pin("1234"), confirm: Bool = true) {
        askAnswer = ask
        confirmAnswer = confirm
    }

    /// "ask" / "ask+confirm" / "confirm", in order.
    var requests: [String] { log.withLock { $0 } }

    func ask(_ request: PINPromptRequest, cancellation: PromptCancellation?) throws -> PINPromptResult {
        log.withLock { $0.append(request.confirmFinalTry ? "ask+confirm" : "ask") }
        switch askAnswer {
        case .pin(let text): return .pin(SecretPIN(utf8: text), finalTryConfirmed: request.confirmFinalTry && confirmAnswer)
        case .dismissed: return .cancelled
        case .fails: throw PinentryError.cannotStart("scripted failure")
        }
    }

    func confirm(_ request: PINPromptRequest, cancellation: PromptCancellation?) throws -> Bool {
        log.withLock { $0.append("confirm") }
        return confirmAnswer
    }
}
