/// Why a login did not complete, by what the user (or the page) can do about it.
///
/// PC/SC and PKCS#11 codes are mapped to these once, at the card boundary; they never reach a
/// browser. `code` is the stable wire name (PROTOCOL.md).
public enum AuthenticationError: Error, Hashable, Sendable {
    /// No reader is plugged.
    case noReader
    /// Readers are present but none holds a CPx card.
    case noCard
    /// Several cards are present: the request must name a reader.
    case readerRequired(readers: [String])
    /// The card in the chosen reader cannot be used (CPS2ter, contactless, unknown card...).
    case unsupportedCard(reason: String)
    /// The card was pulled (or reset) during the operation.
    case cardRemoved
    /// The PIN was wrong; `triesLeft` tries remain.
    case pinIncorrect(triesLeft: Int?)
    /// One try is left and it was not explicitly confirmed: no PIN was sent.
    case pinFinalTry
    /// The PIN is blocked: no PIN was sent.
    case pinBlocked
    /// The page sent a PIN but its origin is not allowed to: no PIN was sent.
    case pagePINNotAllowed
    /// No way to enter the PIN: no PIN pad, no desktop prompt, no page PIN.
    case pinEntryUnavailable
    /// The card is serving another request.
    case busy
    /// The card or the user did not answer in time.
    case timeout
    /// The request was cancelled (by the page, or the user in the PIN prompt).
    case cancelled
    /// Something else failed; `detail` is for logs, not for pages.
    case `internal`(detail: String)

    /// The stable wire code.
    public var code: String {
        switch self {
        case .noReader: "noReader"
        case .noCard: "noCard"
        case .readerRequired: "readerRequired"
        case .unsupportedCard: "unsupportedCard"
        case .cardRemoved: "cardRemoved"
        case .pinIncorrect: "pinIncorrect"
        case .pinFinalTry: "pinFinalTry"
        case .pinBlocked: "pinBlocked"
        case .pagePINNotAllowed: "pagePinNotAllowed"
        case .pinEntryUnavailable: "pinEntryUnavailable"
        case .busy: "busy"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .internal: "internal"
        }
    }
}
