/// The `Host` headers the daemon answers to: its loopback names with its port, nothing else,
/// so that a DNS-rebinding page (its own name resolving to 127.0.0.1) is refused.
public struct HostPolicy: Sendable, Hashable {
    public let port: Int

    public init(port: Int) { self.port = port }

    /// Whether `header` is `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` (case-insensitive).
    public func allows(_ header: String?) -> Bool {
        guard let header else { return false }
        let value = header.lowercased()
        return ["127.0.0.1", "localhost", "[::1]"].contains { value == "\($0):\(port)" }
    }
}
