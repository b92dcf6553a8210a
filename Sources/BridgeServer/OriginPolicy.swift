#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which web origins may use the daemon: an exact allow-list of browser origins.
///
/// Browsers send the `Origin` header in its serialised form (`https://host[:port]`, lower
/// case, default port left out, no path); it is compared to the list as is, so near misses
/// (another scheme, port, a prefix or suffix of the host, upper case, `null`) never match.
public struct OriginPolicy: Sendable, Hashable {
    public let allowed: Set<String>
    /// Origins whose page may send the PIN itself (a subset of `allowed`).
    public let pagePINAllowed: Set<String>
    public let allowsInsecureOrigins: Bool

    /// What an incoming request's `Origin` header means.
    public enum Decision: Sendable, Hashable {
        /// No `Origin` header: a local program (browsers always send one on CORS requests and
        /// WebSocket upgrades). It may read the status, never authenticate.
        case localProgram
        case allowed(String)
        case refused(String)
    }

    /// Validates the configured origins.
    /// - Throws: `OriginPolicyError` naming the first bad entry and what is wrong with it.
    public init(allowed: [String], pagePINAllowed: [String] = [], allowInsecureOrigins: Bool = false) throws(OriginPolicyError) {
        var canonical = Set<String>()
        for entry in allowed {
            canonical.insert(try Self.validate(entry, allowInsecure: allowInsecureOrigins))
        }
        var pagePIN = Set<String>()
        for entry in pagePINAllowed {
            let origin = try Self.validate(entry, allowInsecure: allowInsecureOrigins)
            guard canonical.contains(origin) else { throw .pagePINOriginNotAllowed(entry) }
            pagePIN.insert(origin)
        }
        self.allowed = canonical
        self.pagePINAllowed = pagePIN
        allowsInsecureOrigins = allowInsecureOrigins
    }

    /// The decision for a request whose `Origin` header is `header` (`nil` when absent).
    public func decide(origin header: String?) -> Decision {
        guard let header else { return .localProgram }
        return allowed.contains(header) ? .allowed(header) : .refused(header)
    }

    /// Whether `origin` (an allowed one) may send the PIN itself.
    public func maySendPIN(_ origin: String) -> Bool { pagePINAllowed.contains(origin) }

    /// The canonical form of a configured origin, or why it is not one.
    static func validate(_ entry: String, allowInsecure: Bool) throws(OriginPolicyError) -> String {
        let text = entry.trimmingWhitespace
        guard text != "null", text != "*" else { throw .notAnOrigin(entry, "an allowed origin must name a site, not \(text)") }
        guard let schemeEnd = text.firstRange(of: "://") else { throw .notAnOrigin(entry, "expected https://host[:port]") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        var rest = String(text[schemeEnd.upperBound...])
        guard scheme == "https" || scheme == "http" else { throw .notAnOrigin(entry, "the scheme must be https") }
        guard scheme == "https" || allowInsecure else {
            throw .insecureOrigin(entry)
        }
        if rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.isEmpty else { throw .notAnOrigin(entry, "no host") }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw .notAnOrigin(entry, "an origin has no path, query or fragment: write \(scheme)://\(rest.split(separator: "/").first ?? "")")
        }
        guard !rest.contains("@") else { throw .notAnOrigin(entry, "an origin has no user name or password") }
        guard !rest.contains("*") else { throw .notAnOrigin(entry, "wildcards are not allowed: list each origin") }
        var host = rest.lowercased()
        var port: Int?
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            guard let value = Int(host[host.index(after: colon)...]), (1...65535).contains(value) else {
                throw .notAnOrigin(entry, "bad port")
            }
            port = value
            host = String(host[..<colon])
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-.[]:".contains($0) }) else {
            throw .notAnOrigin(entry, "bad host name")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}

/// Why a configured origin is refused at start.
public enum OriginPolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    case notAnOrigin(String, String)
    case insecureOrigin(String)
    case pagePINOriginNotAllowed(String)

    public var description: String {
        switch self {
        case .notAnOrigin(let entry, let why): "allowed origin \"\(entry)\": \(why)"
        case .insecureOrigin(let entry): "allowed origin \"\(entry)\": http origins need --allow-insecure-origins (development only)"
        case .pagePINOriginNotAllowed(let entry): "page-PIN origin \"\(entry)\" must also be an allowed origin (--allow-origin)"
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
