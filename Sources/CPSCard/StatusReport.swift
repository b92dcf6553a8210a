import CPSIdentity

/// The readers, cards, holders and PIN states, as the card layer knows them. The wire shape
/// (`GET /v1/status`, `cps-bridge status --json`) is BridgeProtocol's `StatusBody`.
public struct StatusReport: Sendable {
    public var readers: [ReaderStatus]
    /// The PKCS#11 module in use (its path), or `null` when none could be loaded.
    public var module: String?
    /// Why something is not working, for a person (pcscd unreachable, no module...).
    public var problems: [String]

    public init(readers: [ReaderStatus], module: String?, problems: [String]) {
        self.readers = readers
        self.module = module
        self.problems = problems
    }
}

public struct ReaderStatus: Sendable {
    public var name: String
    public var card: CardStatus?

    public init(name: String, card: CardStatus?) {
        self.name = name
        self.card = card
    }
}

public struct CardStatus: Sendable {
    public var kind: CardKind
    public var atr: [UInt8]
    public var pin: PINState?
    public var holder: HolderIdentity?
    /// Why the card cannot be used or read, for a person.
    public var problem: String?

    public init(kind: CardKind, atr: [UInt8], pin: PINState?, holder: HolderIdentity?, problem: String?) {
        self.kind = kind
        self.atr = atr
        self.pin = pin
        self.holder = holder
        self.problem = problem
    }
}

