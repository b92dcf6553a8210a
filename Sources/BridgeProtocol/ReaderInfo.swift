/// A PC/SC reader and the card in it (`card` is `null` for an empty reader).
public struct ReaderInfo: Codable, Hashable, Sendable {
    /// The PC/SC reader name, which a request's `reader` field repeats exactly.
    public var name: String
    public var card: CardInfo?

    public init(name: String, card: CardInfo?) {
        self.name = name
        self.card = card
    }

    enum CodingKeys: String, CodingKey { case name, card }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(card, forKey: .card)
    }
}
