/// A change the daemon pushes on the WebSocket:
/// `{"v":1,"type":"event","event":"cardInserted","reader":"...","card":{...}}`.
public struct ReaderEvent: Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case readerAdded, readerRemoved, cardInserted, cardRemoved
    }

    public var event: Kind
    /// The PC/SC reader name.
    public var reader: String
    /// The card now in the reader (`cardInserted`, or `readerAdded` with a card in it);
    /// `null` otherwise.
    public var card: CardInfo?

    public init(_ event: Kind, reader: String, card: CardInfo? = nil) {
        self.event = event
        self.reader = reader
        self.card = card
    }
}
