/// Why a request did not succeed: the stable wire codes (PROTOCOL.md, "Errors").
///
/// Pages dispatch on the code, never on the message or the HTTP status. Codes are never
/// renamed or removed; new ones may be added.
public enum ErrorCode: String, Codable, Hashable, Sendable, CaseIterable {
    /// The request is malformed (not JSON, a missing or mistyped field, an invalid nonce...).
    case badRequest
    /// The page's `Origin` is not on the allow-list (or is missing where one is required).
    case originNotAllowed
    /// The `Host` header is not the daemon's loopback address (DNS rebinding).
    case hostNotAllowed
    /// No reader is plugged.
    case noReader
    /// Readers are present but none holds a card.
    case noCard
    /// Several cards are present: the request must name a reader (`readers` lists them).
    case readerRequired
    /// The card in the chosen reader cannot be used (CPS2ter, contactless, not a CPx card).
    case unsupportedCard
    /// The card was pulled (or reset) during the operation.
    case cardRemoved
    /// The PIN was wrong (`triesLeft`, when known, says how many tries remain).
    case pinIncorrect
    /// One try is left and it was not confirmed: no PIN was sent to the card.
    case pinFinalTry
    /// The PIN is blocked: no PIN was sent to the card.
    case pinBlocked
    /// The page sent a PIN but its origin may not: no PIN was sent to the card.
    case pagePinNotAllowed
    /// No way to enter the PIN: no PIN pad, no desktop prompt, no page PIN.
    case pinEntryUnavailable
    /// The card is serving another request.
    case busy
    /// The user or the card did not answer in time.
    case timeout
    /// The request was cancelled (by the page, or by the user in the PIN prompt).
    case cancelled
    /// Anything else; the daemon's log says what.
    case `internal`
    /// The connection comes from another Unix account than the daemon's: this card service
    /// belongs to another session of the workstation. Nothing else is said or done.
    case otherUser
    /// On a shared workstation, the dispatcher found no daemon for this account (its session
    /// has not started one, or it stopped).
    case bridgeNotRunning

    /// The HTTP status of an answer with this code (PROTOCOL.md has the table and the why).
    ///
    /// The transport may answer `badRequest` with a more precise 4xx of its own: 404 for an
    /// unknown path, 405 for a wrong method, 413 for an oversized body, 415 for a body that
    /// is not `application/json`.
    public var httpStatus: Int {
        switch self {
        case .badRequest: 400
        case .originNotAllowed, .hostNotAllowed, .pagePinNotAllowed, .otherUser: 403
        case .pinIncorrect, .pinBlocked: 403
        case .noReader, .noCard: 404
        case .readerRequired, .pinFinalTry, .busy, .cardRemoved, .timeout, .cancelled: 409
        case .unsupportedCard, .pinEntryUnavailable: 422
        case .internal: 500
        case .bridgeNotRunning: 503
        }
    }
}
