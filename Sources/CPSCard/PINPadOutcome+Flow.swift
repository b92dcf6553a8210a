import PCSC
import PINEntry

extension PINPadOutcome {
    /// What the authentication flow is told: a verification outcome, or the error that ends it.
    public var flowOutcome: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError> {
        switch self {
        case .verified: .success(.verified)
        case .incorrect(let triesLeft): .success(.incorrect(triesLeft: triesLeft))
        case .blocked: .success(.blocked)
        case .cancelled: .failure(.cancelled)
        case .timeout: .failure(.timeout)
        case .otherStatus(let status) where status == PINPadOutcome.wrongLengthStatus:
            .failure(.internal(detail: "the PIN typed on the reader was too short or too long (64 03); no try was spent"))
        case .otherStatus(let status): .failure(.internal(detail: "PIN pad verification answered \(status)"))
        }
    }
}

extension PINPadError {
    /// The error as the authentication flow reports it.
    public var authenticationError: AuthenticationError {
        switch self {
        case .noPINPad: .pinEntryUnavailable
        case .transport(let error) where error.status == .removedCard || error.status == .resetCard: .cardRemoved
        case .transport(let error) where error.status == .cancelled: .cancelled
        default: .internal(detail: description)
        }
    }
}
