import NIOCore
import PeerCredentials

/// Which local account may use the daemon: its own. Every connection is checked before its
/// first byte is read, by asking the kernel who owns the other end (`LoopbackPeer`): on a
/// workstation shared by several staff accounts, another account's process (a browser, a
/// script) gets `otherUser` and nothing else, whatever it sends.
struct PeerPolicy: Sendable {
    /// The account served: the daemon's own effective UID.
    let owner: UInt32

    enum Verdict: Sendable, Hashable {
        case owner
        /// Another account's connection.
        case otherUser(UInt32)
        /// The owner could not be found (the connection closed meanwhile, the kernel would not
        /// say): refused like another account's, for the same reason.
        case unknown(String)
    }

    /// The verdict for a connection from `remote` to `local` (the daemon's end).
    func check(remote: SocketAddress?, local: SocketAddress?) -> Verdict {
        guard let remote = remote.flatMap(Endpoint.init), let local = local.flatMap(Endpoint.init) else {
            return .unknown("not a TCP/IP connection")
        }
        do {
            let uid = try LoopbackPeer.owner(remote: remote, local: local)
            return uid == owner ? .owner : .otherUser(uid)
        } catch {
            return .unknown(error.description)
        }
    }
}

extension Endpoint {
    /// The endpoint of an IPv4 or IPv6 socket address.
    init?(_ address: SocketAddress) {
        guard let port = address.port else { return nil }
        // The raw sockaddr: sockaddr_in holds the address at bytes 4..<8, sockaddr_in6 at 8..<24.
        let raw = address.withSockAddr { pointer, size in Array(UnsafeRawBufferPointer(start: pointer, count: size)) }
        switch address {
        case .v4 where raw.count >= 8:
            self.init(address: Array(raw[4..<8]), port: UInt16(port))
        case .v6 where raw.count >= 24:
            self.init(address: Array(raw[8..<24]), port: UInt16(port))
        default:
            return nil
        }
    }
}
