import CPSIdentity
import SmartCard

/// The readers, cards, holders and PIN states: what `cps-bridge status --json` prints and
/// `GET /v1/status` answers (`{"v":1,"readers":[{"name":...,"card":{...}|null}]}`).
public struct StatusReport: Encodable, Sendable {
    public var v = 1
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

public struct ReaderStatus: Encodable, Sendable {
    public var name: String
    public var card: CardStatus?

    public init(name: String, card: CardStatus?) {
        self.name = name
        self.card = card
    }

    enum CodingKeys: String, CodingKey { case name, card }

    /// `card` is written as `null` for an empty reader, never left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(card, forKey: .card)
    }
}

public struct CardStatus: Encodable, Sendable {
    public var kind: CardKind
    public var atr: String
    public var pin: PINState?
    public var holder: HolderIdentity?
    /// Why the card cannot be used or read, for a person.
    public var problem: String?

    public init(kind: CardKind, atr: [UInt8], pin: PINState?, holder: HolderIdentity?, problem: String?) {
        self.kind = kind
        self.atr = atr.hexString
        self.pin = pin
        self.holder = holder
        self.problem = problem
    }
}

