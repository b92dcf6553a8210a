import Foundation
import Synchronization

/// The security decisions every request goes through, shared by the HTTP and WebSocket
/// routers: Host, origin, rates.
final class RequestGate: Sendable {
    let hosts: HostPolicy
    let origins: OriginPolicy
    private let requests = Mutex(RateLimiter(limitPerMinute: 120))
    private let logins = Mutex(RateLimiter(limitPerMinute: 30))
    private let start = ContinuousClock.now

    init(configuration: ServeConfiguration) {
        hosts = HostPolicy(port: configuration.port)
        origins = configuration.origins
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
