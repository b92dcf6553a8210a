/// The kinds of CPx card the daemon tells apart by their answer to reset.
public enum CardKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// CPS3 over its contact interface: IAS-ECC, supported by OpenSC and ANS's Cryptolib.
    case cps3
    /// CPS3 read contactless: no PIN over contactless, so no authentication.
    case cps3Contactless
    /// CPS4 (NXP ChipDoc): needs ANS's Cryptolib CPS 5.2 or later; OpenSC does not know it.
    case cps4
    /// Legacy CPS2ter: retired, not supported.
    case cps2ter
    /// Anything else.
    case unknown

    /// Whether a login can be attempted with this card at all (given a module that knows it).
    public var canAuthenticate: Bool { self == .cps3 || self == .cps4 }

    /// Why this card cannot be used, in words for a person; `nil` when it can.
    public var unsupportedReason: String? {
        switch self {
        case .cps3, .cps4: nil
        case .cps3Contactless: "the card is read contactless; a PIN cannot be entered over contactless: insert it in a contact reader"
        case .cps2ter: "CPS2ter cards are no longer supported: ask for a CPS3 or CPS4 card"
        case .unknown: "this card is not a CPx card"
        }
    }
}

/// One row of the ATR table: a value and a mask (`atr & mask == value & mask`), exact when
/// the mask is all ones, and the profile of the card it names.
public struct ATRPattern: Sendable, Hashable {
    public let value: [UInt8]
    public let mask: [UInt8]
    public let profile: CardProfile

    public init(_ value: [UInt8], mask: [UInt8]? = nil, profile: CardProfile) {
        precondition(mask == nil || mask!.count == value.count)
        self.value = value
        self.mask = mask ?? [UInt8](repeating: 0xFF, count: value.count)
        self.profile = profile
    }

    public var kind: CardKind { profile.kind }

    public var isExact: Bool { mask.allSatisfy { $0 == 0xFF } }

    public func matches(_ atr: [UInt8]) -> Bool {
        guard atr.count == value.count else { return false }
        return zip(zip(atr, value), mask).allSatisfy { pair, mask in pair.0 & mask == pair.1 & mask }
    }
}

/// The ATR table (docs/CARDS.md): exact ATRs first, then masked patterns, so a legacy CPS2ter (which
/// fits the CPS3 mask) is never taken for a CPS3. Adding a card kind is adding a row.
public enum CardKindTable {
    public static let patterns: [ATRPattern] = [
        ATRPattern(hex("3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00"), profile: .cps2ter),
        ATRPattern(hex("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E"), profile: .cps3Contactless),
        ATRPattern(hex("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44"), profile: .cps4),
        ATRPattern(hex("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"), profile: .cps3),
        // Masked: CPS3 contact (OpenSC's mask), then CPS4 pre-series (same historical prefix,
        // any version and check bytes).
        ATRPattern(hex("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"),
                   mask: hex("FF 00 00 00 00 FF FF FF FF FF FF 00 00 00 FF FF FF"), profile: .cps3),
        ATRPattern(hex("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44"),
                   mask: hex("FF FF 00 FF FF FF FF FF FF FF FF FF 00 00 00 00 00"), profile: .cps4),
    ]

    /// The kind of card that answers reset with `atr`.
    public static func kind(of atr: [UInt8]) -> CardKind {
        profile(of: atr).kind
    }

    /// The profile of the card that answers reset with `atr` (`.unknown`'s when none matches).
    public static func profile(of atr: [UInt8]) -> CardProfile {
        patterns.first { $0.matches(atr) }?.profile ?? .unknown
    }

    static func hex(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0, radix: 16)! }
    }
}
