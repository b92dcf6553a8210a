/// How the PIN reaches the card.
public enum PINEntryMethod: String, Sendable, Hashable {
    /// Typed on the reader's PIN pad (PC/SC part 10 or `CKF_PROTECTED_AUTHENTICATION_PATH`).
    case pinPad
    /// A native desktop prompt (pinentry), showing the origin, the holder and the tries left.
    case nativePrompt
    /// Sent by the page itself, for origins configured to allow it.
    case page
}

/// A card the flow may use: its reader, kind, and what the reader offers for PIN entry.
public struct CardCandidate: Sendable, Hashable {
    public var reader: String
    public var kind: CardKind
    public var hasPINPad: Bool

    public init(reader: String, kind: CardKind, hasPINPad: Bool = false) {
        self.reader = reader
        self.kind = kind
        self.hasPINPad = hasPINPad
    }
}

/// The facts of one login request the flow decides on.
public struct AuthenticationContext: Sendable, Hashable {
    public var origin: String
    public var nonce: String
    /// The reader the page named, if any.
    public var reader: String?
    /// Whether the page sent a PIN.
    public var pageSentPIN: Bool
    /// Whether the origin is allowed to send the PIN itself.
    public var pagePINAllowed: Bool
    /// The page's wish to use the final try (honoured for page-PIN origins only, and only
    /// together with the holder's own confirmation in the native prompt).
    public var confirmFinalTry: Bool
    /// Whether a native prompt can be shown (a pinentry program and a desktop session).
    public var nativePromptAvailable: Bool

    public init(origin: String, nonce: String, reader: String? = nil, pageSentPIN: Bool = false,
                pagePINAllowed: Bool = false, confirmFinalTry: Bool = false, nativePromptAvailable: Bool = false) {
        self.origin = origin
        self.nonce = nonce
        self.reader = reader
        self.pageSentPIN = pageSentPIN
        self.pagePINAllowed = pagePINAllowed
        self.confirmFinalTry = confirmFinalTry
        self.nativePromptAvailable = nativePromptAvailable
    }
}

/// The login as a state machine: card ready -> PIN state -> PIN -> verify -> sign -> token.
///
/// A value type with no I/O: each method takes what the card layer observed and returns the
/// next thing to do. The driver (`CardAuthenticator`) performs the actions and reports back.
/// Rules: a blocked PIN is never sent; a wrong PIN is never retried; a page PIN is used only
/// from an allowed origin; the last try is the holder's alone. When one try is left, or when
/// the tries left cannot be read (`PINState.unknown`), the PIN reaches the card only after
/// the holder confirmed in the native prompt (pinentry CONFIRM, also before a PIN pad); a page
/// PIN additionally needs the page's `confirmFinalTry`. Without a native prompt, such a login
/// ends with `pinFinalTry` and nothing is sent to the card.
public struct AuthenticationFlow: Sendable {
    public enum Action: Sendable, Hashable {
        /// Read the PIN state of the card in `reader` without spending a try.
        case readPINState(reader: String)
        /// Have the PIN entered by `method`; `confirmFinalTry` asks for the holder's native
        /// confirmation first (the final try): the pinentry CONFIRM, then the PIN from the
        /// prompt, the pad or the page.
        case enterPIN(reader: String, method: PINEntryMethod, pinState: PINState, confirmFinalTry: Bool)
        /// Verify the entered PIN (or, for `.pinPad`, have the reader verify it).
        case verifyPIN(reader: String, method: PINEntryMethod)
        /// Sign `digestInfo` with the authentication key.
        case sign(reader: String, digestInfo: [UInt8])
        /// Done: the signature over the request's origin and nonce.
        case succeed(reader: String, signature: [UInt8])
        case fail(AuthenticationError)
    }

    public enum Phase: Sendable, Hashable {
        case choosingCard, readingPINState, enteringPIN, verifying, signing, finished, failed
    }

    public let context: AuthenticationContext
    public private(set) var phase: Phase = .choosingCard
    public private(set) var reader: String?
    private var method: PINEntryMethod?
    private var pinState: PINState?

    public init(context: AuthenticationContext) {
        self.context = context
    }

    /// The card a request is for: the named reader's, else the only CPx card present
    /// (`readerRequired` with the candidates when there are several). Also used by
    /// `getCertificate`, so that both operations pick the same card for the same request.
    public static func chooseCard(readers: [String], cards: [CardCandidate], wanted: String?) -> Result<CardCandidate, AuthenticationError> {
        guard !readers.isEmpty else { return .failure(.noReader) }
        let candidate: CardCandidate
        if let wanted {
            guard readers.contains(wanted) else { return .failure(.readerRequired(readers: readers)) }
            guard let card = cards.first(where: { $0.reader == wanted }) else { return .failure(.noCard) }
            candidate = card
        } else {
            let usable = cards.filter { $0.kind != .unknown }
            switch usable.count {
            case 0:
                guard let other = cards.first else { return .failure(.noCard) }
                candidate = other
            case 1:
                candidate = usable[0]
            default:
                return .failure(.readerRequired(readers: usable.map(\.reader)))
            }
        }
        if let reason = candidate.kind.unsupportedReason { return .failure(.unsupportedCard(reason: reason)) }
        return .success(candidate)
    }

    /// Starts with the readers present and the CPx cards in them.
    public mutating func start(readers: [String], cards: [CardCandidate]) -> Action {
        guard phase == .choosingCard else { return fail(.internal(detail: "start called twice")) }
        let candidate: CardCandidate
        switch Self.chooseCard(readers: readers, cards: cards, wanted: context.reader) {
        case .success(let chosen): candidate = chosen
        case .failure(let error): return fail(error)
        }
        reader = candidate.reader
        // How will the PIN come? Decided before touching the card, so that a refused page PIN
        // costs nothing.
        if context.pageSentPIN {
            guard context.pagePINAllowed else { return fail(.pagePINNotAllowed) }
            method = .page
        } else if candidate.hasPINPad {
            method = .pinPad
        } else if context.nativePromptAvailable {
            method = .nativePrompt
        } else {
            return fail(.pinEntryUnavailable)
        }
        phase = .readingPINState
        return .readPINState(reader: candidate.reader)
    }

    /// The PIN state, read without spending a try.
    public mutating func pinStateRead(_ state: PINState) -> Action {
        guard phase == .readingPINState, let reader, let method else { return fail(.internal(detail: "unexpected PIN state")) }
        pinState = state
        if state.state == .blocked { return fail(.pinBlocked) }
        guard Self.isLastTry(state) else {
            phase = .enteringPIN
            return .enterPIN(reader: reader, method: method, pinState: state, confirmFinalTry: false)
        }
        // The last try (or one that may be): only the holder, in a native prompt of this
        // workstation, may spend it. A page's confirmation is necessary for its PIN, never enough.
        guard context.nativePromptAvailable else { return fail(.pinFinalTry) }
        if method == .page && !context.confirmFinalTry { return fail(.pinFinalTry) }
        phase = .enteringPIN
        return .enterPIN(reader: reader, method: method, pinState: state, confirmFinalTry: true)
    }

    /// Whether `state` calls for the last-try rules: one try left, or a count that cannot be read.
    public static func isLastTry(_ state: PINState) -> Bool {
        state.state == .finalTry || state.state == .unknown
    }

    /// The PIN was entered (for `.pinPad`, the reader is ready to take it; for `.page`, the
    /// page's PIN is at hand).
    /// - Parameter finalTryConfirmed: the holder's native confirmation, when one was asked for.
    public mutating func pinEntered(finalTryConfirmed: Bool = false) -> Action {
        guard phase == .enteringPIN, let reader, let method, let pinState else { return fail(.internal(detail: "unexpected PIN entry")) }
        if Self.isLastTry(pinState) && !finalTryConfirmed { return fail(.pinFinalTry) }
        phase = .verifying
        return .verifyPIN(reader: reader, method: method)
    }

    /// The outcome of the verification.
    public mutating func verified(_ outcome: VerificationOutcome) -> Action {
        guard phase == .verifying, let reader else { return fail(.internal(detail: "unexpected verification")) }
        switch outcome {
        case .verified:
            phase = .signing
            return .sign(reader: reader, digestInfo: SignedData.digestInfo(origin: context.origin, nonce: context.nonce))
        case .incorrect(let triesLeft):
            return fail(triesLeft == 0 ? .pinBlocked : .pinIncorrect(triesLeft: triesLeft))
        case .blocked:
            return fail(.pinBlocked)
        }
    }

    /// The card's signature.
    public mutating func signed(_ signature: [UInt8]) -> Action {
        guard phase == .signing, let reader else { return fail(.internal(detail: "unexpected signature")) }
        phase = .finished
        return .succeed(reader: reader, signature: signature)
    }

    /// Anything that ends the flow early: card removed, timeout, cancellation, an error of the
    /// card layer, a PIN prompt dismissed.
    public mutating func fail(_ error: AuthenticationError) -> Action {
        phase = .failed
        return .fail(error)
    }

    public enum VerificationOutcome: Sendable, Hashable {
        case verified
        case incorrect(triesLeft: Int?)
        case blocked
    }
}
