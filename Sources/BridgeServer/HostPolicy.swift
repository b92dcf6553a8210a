import Synchronization

/// The `Host` headers the daemon answers to: its loopback names with its port, nothing else,
/// so that a DNS-rebinding page (its own name resolving to 127.0.0.1) is refused.
///
/// Behind a dispatcher the port is the dispatcher's, learnt when the daemon registers (and
/// again at each re-registration): `serve(ports:)` replaces it.
public final class HostPolicy: Sendable {
    private let served: Mutex<Set<Int>>

    public init(port: Int) { served = Mutex([port]) }

    /// The ports served now (one, or the dispatcher's: the same port on 127.0.0.1 and ::1, or two).
    public var ports: Set<Int> { served.withLock { $0 } }

    /// From now on, answers `ports` instead.
    public func serve(ports newPorts: Set<Int>) { served.withLock { $0 = newPorts } }

    /// Whether `header` is `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` (case-insensitive)
    /// for a port served.
    public func allows(_ header: String?) -> Bool {
        guard let header else { return false }
        let value = header.lowercased()
        let ports = ports
        return ports.contains { port in ["127.0.0.1", "localhost", "[::1]"].contains { value == "\($0):\(port)" } }
    }
}
