/// The holder's national identifier (`idNat_PS`, PSC's `SubjectNameID`) as written in the
/// certificate's common name, with its type read from the first character.
///
/// Unknown forms are kept and surfaced as `.unknown`, never rejected: new identifier types
/// appear over time and the federator, not the card reader, decides what it accepts.
public struct NationalIdentifier: Hashable, Sendable, Codable {
    /// The identifier exactly as the certificate writes it, e.g. `810002813839`.
    public let value: String
    public let type: Kind

    /// The identifier's type.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// `8` followed by the 11-digit RPPS number (most professionals today).
        case rpps
        /// `0` followed by an ADELI-based number (older identifiers).
        case adeli
        /// `3` followed by a FINESS number, `/`, and a local number (staff of an establishment).
        case finess
        /// `4` followed by a SIREN number, `/`, and a local number.
        case siren
        /// `5` followed by a SIRET number, `/`, and a local number.
        case siret
        /// `6` followed by an RPPS structure number, `/`, and a local number.
        case rppsStructure
        /// Anything else, kept as written.
        case unknown
    }

    public init(_ value: String) {
        self.value = value
        type = Self.classify(value)
    }

    /// The 11-digit RPPS number for an RPPS-based identifier, else `nil`.
    public var rpps: String? { type == .rpps ? String(value.dropFirst()) : nil }

    /// For structure-based identifiers (`3`, `4`, `5`, `6`): the structure's number and the
    /// holder's local number within it.
    public var structure: (number: String, localNumber: String)? {
        guard [.finess, .siren, .siret, .rppsStructure].contains(type) else { return nil }
        let parts = value.dropFirst().split(separator: "/", maxSplits: 1)
        return (String(parts[0]), String(parts[1]))
    }

    static func classify(_ value: String) -> Kind {
        guard let first = value.first else { return .unknown }
        let rest = value.dropFirst()
        let digits = { (s: Substring) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        switch first {
        case "8" where rest.count == 11 && digits(rest):
            return .rpps
        case "0" where digits(rest):
            return .adeli
        case "3", "4", "5", "6":
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty else {
                return .unknown
            }
            let expected: [Character: (Int, Kind)] = ["3": (9, .finess), "4": (9, .siren), "5": (14, .siret), "6": (11, .rppsStructure)]
            let (length, kind) = expected[first]!
            // FINESS numbers may hold a letter (Corsica: 2A/2B); SIREN/SIRET/RPPS are digits.
            let numberOK = parts[0].count == length && (kind == .finess
                ? parts[0].allSatisfy { $0.isASCII && ($0.isNumber || $0.isLetter) }
                : digits(parts[0]))
            return numberOK ? kind : .unknown
        default:
            return .unknown
        }
    }
}
