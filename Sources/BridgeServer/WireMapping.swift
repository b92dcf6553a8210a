import BridgeProtocol
import CPSCard
import CPSIdentity
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The card layer's values as the wire protocol shows them. Errors are mapped here once:
/// PC/SC and PKCS#11 detail never reaches a page.
extension HolderSummary {
    init(_ holder: HolderIdentity) {
        self.init(nationalId: holder.nationalId.value, nationalIdType: holder.nationalId.type.rawValue,
                  rpps: holder.nationalId.rpps, familyName: holder.familyName, givenName: holder.givenName,
                  profession: holder.profession, organization: holder.organization)
    }
}

extension CardInfo {
    init(_ status: CardStatus) {
        let pin = status.pin.map { CardInfo.PIN(state: CardInfo.PIN.State(rawValue: $0.state.rawValue) ?? .unknown,
                                                 triesLeft: $0.triesLeft, maxTries: $0.maxTries) }
        self.init(kind: CardInfo.Kind(rawValue: status.kind.rawValue), pin: pin, holder: status.holder.map(HolderSummary.init))
    }
}

extension ReaderInfo {
    /// The readers of a status report as the wire shows them (`GET /v1/status`, the
    /// WebSocket's status, `cps-bridge status --json`).
    public static func list(_ report: StatusReport) -> [ReaderInfo] {
        report.readers.map { ReaderInfo(name: $0.name, card: $0.card.map(CardInfo.init)) }
    }
}

extension ErrorPayload {
    init(_ error: AuthenticationError) {
        switch error {
        case .noReader: self.init(code: .noReader)
        case .noCard: self.init(code: .noCard)
        case .readerRequired(let readers): self.init(code: .readerRequired, readers: readers)
        case .unsupportedCard(let reason): self.init(code: .unsupportedCard, detail: reason)
        case .cardRemoved: self.init(code: .cardRemoved)
        case .pinIncorrect(let triesLeft): self.init(code: .pinIncorrect, triesLeft: triesLeft)
        case .pinFinalTry: self.init(code: .pinFinalTry, triesLeft: 1)
        case .pinBlocked: self.init(code: .pinBlocked, triesLeft: 0)
        case .pagePINNotAllowed: self.init(code: .pagePinNotAllowed)
        case .pinEntryUnavailable: self.init(code: .pinEntryUnavailable)
        case .busy: self.init(code: .busy)
        case .timeout: self.init(code: .timeout)
        case .cancelled: self.init(code: .cancelled)
        case .internal: self.init(code: .internal)
        }
    }
}

extension BridgeProtocol.AuthenticationResult {
    init(_ result: CPSCard.AuthenticationResult) {
        self.init(token: AuthenticationToken(unverifiedCertificate: CertificateText.base64(result.certificateDER),
                                             signature: Data(result.signature).base64EncodedString(),
                                             appVersion: CertificateText.appVersion),
                  holder: HolderSummary(result.holder))
    }
}

/// The token's texts that do not change from one login to the next: the card's certificate
/// in base64 (2 KB of text, re-encoded for every login before) and the daemon's version URL.
enum CertificateText {
    private static let last = Mutex<(der: [UInt8], text: String)?>(nil)

    static let appVersion = AuthenticationToken.appVersionURL(version: BridgeServer.version)

    /// The base64 of `der`, from the last login's when it is the same certificate.
    static func base64(_ der: [UInt8]) -> String {
        if let text = last.withLock({ $0?.der == der ? $0?.text : nil }) { return text }
        let text = Data(der).base64EncodedString()
        last.withLock { $0 = (der, text) }
        return text
    }
}
