/// A card in a reader, as the reader monitor sees it.
public struct CardPresence: Sendable, Hashable {
    public var atr: [UInt8]
    public var kind: CardKind

    public init(atr: [UInt8]) {
        self.atr = atr
        kind = CardKindTable.kind(of: atr)
    }

    /// What the daemon knows of this kind of card.
    public var profile: CardProfile { kind.profile }
}

/// One reader and what is in it.
public struct ReaderSnapshot: Sendable, Hashable {
    public var name: String
    public var card: CardPresence?
    /// pcsc-lite's insertion/removal counter, to catch a pull-and-reinsert between two waits.
    var eventCounter: UInt16

    public init(name: String, card: CardPresence?, eventCounter: UInt16 = 0) {
        self.name = name
        self.card = card
        self.eventCounter = eventCounter
    }
}

/// A change the reader monitor saw.
public enum ReaderEvent: Sendable, Hashable {
    case readerAdded(reader: String)
    case readerRemoved(reader: String)
    case cardInserted(reader: String, card: CardPresence)
    case cardRemoved(reader: String)
    /// pcscd went away; readers and cards are unknown until `serviceRestored`.
    case serviceLost
    /// pcscd answers again; the events that follow bring the view up to date.
    case serviceRestored

    public var reader: String? {
        switch self {
        case .readerAdded(let r), .readerRemoved(let r), .cardInserted(let r, _), .cardRemoved(let r): r
        case .serviceLost, .serviceRestored: nil
        }
    }

    /// The events that take the view `old` to `new`, readers in `new`'s order.
    static func diff(from old: [ReaderSnapshot], to new: [ReaderSnapshot]) -> [ReaderEvent] {
        var events: [ReaderEvent] = []
        let newNames = Set(new.map(\.name))
        for reader in old where !newNames.contains(reader.name) {
            if reader.card != nil { events.append(.cardRemoved(reader: reader.name)) }
            events.append(.readerRemoved(reader: reader.name))
        }
        let oldByName = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for reader in new {
            guard let before = oldByName[reader.name] else {
                events.append(.readerAdded(reader: reader.name))
                if let card = reader.card { events.append(.cardInserted(reader: reader.name, card: card)) }
                continue
            }
            switch (before.card, reader.card) {
            case (nil, let card?):
                events.append(.cardInserted(reader: reader.name, card: card))
            case (_?, nil):
                events.append(.cardRemoved(reader: reader.name))
            case (let a?, let b?) where a != b || before.eventCounter != reader.eventCounter:
                // Another card, or the same one pulled and put back between two waits.
                events.append(.cardRemoved(reader: reader.name))
                events.append(.cardInserted(reader: reader.name, card: b))
            default:
                break
            }
        }
        return events
    }
}
