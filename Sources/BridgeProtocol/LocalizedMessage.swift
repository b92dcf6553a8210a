/// A short, actionable sentence a page can show to the card holder, in French (addressed with
/// *vous*) and English.
public struct LocalizedMessage: Codable, Hashable, Sendable {
    public var fr: String
    public var en: String

    public init(fr: String, en: String) {
        self.fr = fr
        self.en = en
    }
}
