/// A card in a reader, as `status` and events describe it.
public struct CardInfo: Codable, Hashable, Sendable {
    public var kind: Kind
    /// What is known of the user PIN, or `null` when it could not be read.
    public var pin: PIN?
    /// Whose card it is, or `null` when the certificate could not be read (or for an
    /// unsupported card). Sent only to allowed origins and local programs.
    public var holder: HolderSummary?

    public init(kind: Kind, pin: PIN?, holder: HolderSummary?) {
        self.kind = kind
        self.pin = pin
        self.holder = holder
    }

    /// The kind of card, from its answer to reset: an open set, so that a page written today
    /// still decodes a kind added tomorrow.
    public struct Kind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// CPS3 over its contact interface.
        public static let cps3 = Kind(rawValue: "cps3")
        /// CPS3 read contactless: no PIN over contactless, so no login.
        public static let cps3Contactless = Kind(rawValue: "cps3Contactless")
        /// CPS4.
        public static let cps4 = Kind(rawValue: "cps4")
        /// Legacy CPS2ter, no longer supported.
        public static let cps2ter = Kind(rawValue: "cps2ter")
        /// Not a CPx card.
        public static let unknown = Kind(rawValue: "unknown")

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }

        public var description: String { rawValue }
    }

    /// The user PIN's state, read without spending a try.
    public struct PIN: Codable, Hashable, Sendable {
        public var state: State
        /// Exact tries left, or `null` when the card does not tell without a try.
        public var triesLeft: Int?
        /// The card's maximum tries (3 on a CPS3), or `null` when unknown.
        public var maxTries: Int?

        public init(state: State, triesLeft: Int? = nil, maxTries: Int? = nil) {
            self.state = state
            self.triesLeft = triesLeft
            self.maxTries = maxTries
        }

        public enum State: String, Codable, Hashable, Sendable {
            /// More than one try is left.
            case ok
            /// One try is left: the next wrong PIN blocks the card.
            case finalTry
            /// No try is left.
            case blocked
            /// The card or module cannot tell.
            case unknown

            /// A state this version does not know decodes as `unknown`.
            public init(from decoder: any Decoder) throws {
                self = State(rawValue: try decoder.singleValueContainer().decode(String.self)) ?? .unknown
            }
        }

        enum CodingKeys: String, CodingKey { case state, triesLeft, maxTries }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(state, forKey: .state)
            try c.encode(triesLeft, forKey: .triesLeft)
            try c.encode(maxTries, forKey: .maxTries)
        }
    }

    enum CodingKeys: String, CodingKey { case kind, pin, holder }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(pin, forKey: .pin)
        try c.encode(holder, forKey: .holder)
    }
}
