import BridgeProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The security decisions every request goes through, shared by the HTTP and WebSocket
/// routers: Host, origin, rates.
final class RequestGate: Sendable {
    /// The header a local program (no `Origin`) sends to be served, and its value.
    static let localProgramHeader = "X-CPS-Bridge"
    static let localProgramValue = "1"

    let hosts: HostPolicy
    let origins: OriginPolicy
    private let requests = Mutex(RateLimiter(limitPerMinute: 120))
    private let logins = Mutex(RateLimiter(limitPerMinute: 30))
    private let start = ContinuousClock.now

    init(configuration: ServeConfiguration) {
        hosts = HostPolicy(port: configuration.port)
        origins = configuration.origins
    }

    /// The first check of every request, HTTP or WebSocket upgrade, wherever it is made (the
    /// routers' `SecurityMiddleware`, the connection's `UpgradeScreen`): a foreign `Host` or a
    /// non-allowed `Origin` is refused; several `Host` or `Origin` headers are refused rather
    /// than guessed at.
    /// - Parameters:
    ///   - hosts: every `Host` header of the request.
    ///   - origins: every `Origin` header of the request.
    ///   - fetchSite: every `Sec-Fetch-Site` header.
    ///   - localMarker: every `X-CPS-Bridge` header: a request without `Origin` must carry
    ///     exactly one, `1`.
    func screen(hosts: [String], origins: [String], fetchSite: [String] = [], localMarker: [String] = []) -> Screening {
        guard hosts.count == 1, self.hosts.allows(hosts[0]) else {
            let shown = hosts.isEmpty ? "(none)" : hosts.joined(separator: ", ")
            return .refused(ErrorPayload(code: .hostNotAllowed), cors: nil, reason: "Host \(shown) is not ours")
        }
        // No Origin is a local program, unless a browser says a page sent it: an <img>, a
        // no-cors fetch or a navigation from another site carry no Origin but do carry
        // Sec-Fetch-Site (`none` only when the person typed the address themselves).
        if origins.isEmpty, let site = fetchSite.first, fetchSite.count > 1 || site.lowercased() != "none" {
            return .refused(ErrorPayload(code: .originNotAllowed, detail: "a web page's request without Origin"), cors: nil,
                            reason: "a page's request without Origin (Sec-Fetch-Site: \(fetchSite.joined(separator: ", ")))")
        }
        // A local program says so with a header no page can send without a CORS preflight
        // (which only allowed origins pass): a browser that sends no Sec-Fetch-* still cannot
        // have an <img> or a no-cors request read the card.
        if origins.isEmpty, localMarker != [Self.localProgramValue] {
            return .refused(ErrorPayload(code: .originNotAllowed, detail: "a local program must send \(Self.localProgramHeader): \(Self.localProgramValue)"),
                            cors: nil, reason: "a request with neither Origin nor \(Self.localProgramHeader): \(Self.localProgramValue)")
        }
        let decision = origins.count > 1 ? .refused(origins.joined(separator: ", ")) : self.origins.decide(origin: origins.first)
        if case .refused(let origin) = decision {
            return .refused(ErrorPayload(code: .originNotAllowed), cors: decision, reason: "origin \(origin) is not allowed")
        }
        return .admitted(decision)
    }

    /// What `screen(hosts:origins:)` decided.
    enum Screening: Sendable, Hashable {
        /// May go on; the origin decision drives CORS and what the request may do.
        case admitted(OriginPolicy.Decision)
        /// Refused with 403 and `error`; `cors` is the decision whose CORS headers the answer
        /// carries (none for a foreign `Host`); `reason` is for the log.
        case refused(ErrorPayload, cors: OriginPolicy.Decision?, reason: String)
    }

    private var now: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// One more request from `origin` (or from local programs, as one key); false past the limit.
    func admitRequest(origin: String?) -> Bool {
        let key = origin ?? "local"
        let now = now
        return requests.withLock { $0.admit(key, now: now) }
    }

    /// One more login from `origin`; false past the limit.
    func admitLogin(origin: String) -> Bool {
        let now = now
        return logins.withLock { $0.admit(origin, now: now) }
    }

    func retryAfter(origin: String?) -> Int {
        let now = now
        return requests.withLock { $0.retryAfter(origin ?? "local", now: now) }
    }
}
