#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A web origin as a browser serialises it (`scheme://host[:port]`), checked and put in
/// canonical form: lowercase scheme and host, default port left out, no trailing slash.
///
/// This is the exact text that is hashed into the signed data and compared with the
/// allow-list, so both sides of a login agree on it byte for byte. Only tuple origins of
/// `https` and `http` are accepted (whether `http` may be used is the server's policy:
/// `isSecure`); `null`, userinfo, paths, queries, fragments, wildcards, non-ASCII hosts (use
/// the punycode form) and trailing dots are refused.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public enum Scheme: String, Hashable, Sendable {
        case https, http

        /// The port a browser leaves out of the serialisation.
        public var defaultPort: Int { self == .https ? 443 : 80 }
    }

    public let scheme: Scheme
    /// The lowercase host: a DNS name, an IPv4 address, or an IPv6 address in brackets.
    public let host: String
    /// The port, or `nil` for the scheme's default.
    public let port: Int?

    /// The canonical serialisation, e.g. `https://auth.esw.esante.gouv.fr`.
    public var serialization: String {
        "\(scheme.rawValue)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    public var description: String { serialization }

    /// Whether the scheme is `https`.
    public var isSecure: Bool { scheme == .https }

    /// The longest origin text accepted.
    public static let maxLength = 300

    /// Parses and canonicalises `text` (an `Origin` header or an allow-list entry).
    /// - Throws: `OriginError` saying what is not an origin about it.
    public init(_ text: String) throws(OriginError) {
        guard !text.isEmpty else { throw .empty }
        guard text != "null" else { throw .opaque }
        guard text.utf8.count <= Self.maxLength else { throw .tooLong }
        guard text.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw .invalidCharacter
        }
        if text.contains("*") { throw .wildcard }
        guard let separator = text.firstRange(of: "://") else { throw .missingScheme }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            throw .unsupportedScheme
        }
        let rest = text[separator.upperBound...]
        if rest.contains("@") { throw .userinfo }
        if let index = rest.firstIndex(where: { "/?#".contains($0) }) {
            throw rest[index...] == "/" ? .trailingSlash : .pathQueryOrFragment
        }
        let (host, portText) = try Self.splitHostPort(rest)
        var port: Int?
        if let portText {
            guard (1...5).contains(portText.count), portText.allSatisfy(\.isASCIIDigit),
                  let value = Int(portText), (1...65535).contains(value) else { throw .invalidPort }
            port = value == scheme.defaultPort ? nil : value
        }
        self.scheme = scheme
        self.host = try Self.canonicalHost(host)
        self.port = port
    }

    private static func splitHostPort(_ authority: Substring) throws(OriginError) -> (Substring, Substring?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidHost }
            let host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":") else { throw .invalidHost }
            return (host, after.dropFirst())
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (parts[0], nil)
        case 2: return (parts[0], parts[1])
        default: throw .invalidHost
        }
    }

    private static func canonicalHost(_ host: Substring) throws(OriginError) -> String {
        let host = host.lowercased()
        if host.hasPrefix("[") {
            // An IPv6 literal: hex digits, colons and (for an embedded IPv4) dots.
            let inner = host.dropFirst().dropLast()
            guard inner.contains(":"), inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .invalidHost
            }
            return host
        }
        guard !host.isEmpty else { throw .emptyHost }
        guard host.utf8.count <= 253, !host.hasSuffix(".") else { throw .invalidHost }
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count),
                  label.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "-" }),
                  label.first != "-", label.last != "-" else { throw .invalidHost }
        }
        return host
    }
}

/// Why a text is not an acceptable origin.
public enum OriginError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    /// `null`: an opaque origin (sandboxed frame, `file:`, data URL) cannot be allowed.
    case opaque
    case tooLong
    /// Whitespace, control or non-ASCII characters (use the host's punycode form).
    case invalidCharacter
    case missingScheme
    /// A scheme other than `https` and `http`.
    case unsupportedScheme
    case wildcard
    case userinfo
    /// `https://host/`: an origin has no path, not even `/`.
    case trailingSlash
    case pathQueryOrFragment
    case emptyHost
    case invalidHost
    case invalidPort

    public var description: String {
        switch self {
        case .empty: "the origin is empty"
        case .opaque: "the origin is \"null\" (a sandboxed frame, a file or a data URL): it cannot be allowed"
        case .tooLong: "the origin is longer than \(Origin.maxLength) characters"
        case .invalidCharacter: "the origin contains whitespace, control or non-ASCII characters (write a host in its punycode form)"
        case .missingScheme: "the origin has no scheme: write https://host[:port]"
        case .unsupportedScheme: "the origin's scheme must be https (or http for development)"
        case .wildcard: "the origin contains a wildcard: list each origin exactly"
        case .userinfo: "the origin contains a user name or password (@)"
        case .trailingSlash: "the origin ends with a slash: an origin has no path, write https://host[:port]"
        case .pathQueryOrFragment: "the origin contains a path, query or fragment: write https://host[:port] only"
        case .emptyHost: "the origin has no host"
        case .invalidHost: "the origin's host is not a valid DNS name, IPv4 address or bracketed IPv6 address"
        case .invalidPort: "the origin's port must be a number from 1 to 65535"
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}
