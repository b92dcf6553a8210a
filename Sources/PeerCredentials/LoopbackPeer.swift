#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a loopback TCP connection: the Unix account that owns the
/// peer's socket, as the kernel records it.
///
/// Both ends of a loopback connection live on this machine, so the kernel knows the owner of
/// the other socket. It is asked first through `NETLINK_SOCK_DIAG` (an exact look-up of the
/// connection's 4-tuple, the way `ss` asks), then, should netlink be unavailable (a seccomp
/// filter, an old kernel), by reading `/proc/net/tcp` or `/proc/net/tcp6`. Neither needs any
/// privilege. A socket's owner is the effective UID of the process that created it; a process
/// cannot give a socket another owner, so this is the account the daemon serves or refuses.
public enum LoopbackPeer {
    /// The UID owning the peer's socket of the connection from `remote` to `local` (as the
    /// server sees them: `local` is its own end).
    /// - Throws: `PeerLookupError` when neither netlink nor `/proc` knows the connection (it
    ///   may have closed meanwhile) or an address is not loopback.
    public static func owner(remote: Endpoint, local: Endpoint) throws(PeerLookupError) -> UInt32 {
        guard remote.isLoopback, local.isLoopback else { throw .notLoopback(remote.description) }
        guard remote.address.count == local.address.count else { throw .notFound(remote.description) }
        do {
            return try SockDiag.owner(source: remote, destination: local)
        } catch .notFound(let connection) {
            throw .notFound(connection)
        } catch {
            // Netlink refused or is absent: the proc files hold the same table.
            return try ProcNetTCP.owner(source: remote, destination: local)
        }
    }
}

/// One end of a TCP connection: an IPv4 (4 bytes) or IPv6 (16 bytes) address, network order,
/// and a port.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public let address: [UInt8]
    public let port: UInt16

    public init?(address: [UInt8], port: UInt16) {
        guard address.count == 4 || address.count == 16 else { return nil }
        self.address = address
        self.port = port
    }

    /// From a textual IPv4 or IPv6 address (`127.0.0.1`, `::1`).
    public init?(host: String, port: Int) {
        guard let port = UInt16(exactly: port) else { return nil }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            self.init(address: withUnsafeBytes(of: v4) { Array($0) }, port: port)
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            self.init(address: withUnsafeBytes(of: v6) { Array($0) }, port: port)
        } else {
            return nil
        }
    }

    /// 127.0.0.0/8 or ::1 (or ::ffff:127.x.y.z).
    public var isLoopback: Bool {
        if address.count == 4 { return address[0] == 127 }
        let mapped = address.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
        return address == [UInt8](repeating: 0, count: 15) + [1] || (mapped && address[12] == 127)
    }

    public var description: String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") + ":\(port)" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: address) }
        inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
        return "[" + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]:\(port)"
    }
}

/// Why the owner of a connection could not be found.
public enum PeerLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kernel has no such connection (closed meanwhile).
    case notFound(String)
    /// Not a loopback connection: its peer is not on this machine.
    case notLoopback(String)
    /// A system call failed (`function`, `errno`).
    case system(String, Int32)
    /// The kernel's answer could not be read.
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .notFound(let peer): "no TCP connection from \(peer) is known to the kernel"
        case .notLoopback(let peer): "\(peer) is not a loopback address"
        case .system(let function, let code): "\(function) failed: \(String(cString: strerror(code)))"
        case .malformedAnswer(let what): "unreadable answer from the kernel: \(what)"
        }
    }
}
