#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a connected Unix socket: the process, user and group the kernel
/// recorded when the peer connected (`SO_PEERCRED`, `unix(7)`).
///
/// These are the credentials of the process that called `connect(2)` (or `socketpair(2)`),
/// taken by the kernel at that moment: the peer cannot choose them, so they identify the
/// account behind a connection whatever it says over it. The dispatcher identifies the daemons
/// that register with it this way and no other.
public struct UnixPeer: Sendable, Hashable, CustomStringConvertible {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// The credentials of the peer of the connected Unix socket `descriptor`.
    /// - Throws: `PeerLookupError.system("getsockopt(SO_PEERCRED)", errno)`.
    public static func of(descriptor: Int32) throws(PeerLookupError) -> UnixPeer {
        // struct ucred (pid_t pid; uid_t uid; gid_t gid), which Glibc's module map leaves out
        // (it needs _GNU_SOURCE): three 32-bit fields.
        var credentials: [UInt32] = [0, 0, 0]
        var length = socklen_t(12)
        while getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == -1 {
            guard errno == EINTR else { throw .system("getsockopt(SO_PEERCRED)", errno) }
        }
        return UnixPeer(pid: Int32(bitPattern: credentials[0]), uid: credentials[1], gid: credentials[2])
    }

    public var description: String { "uid \(uid) (pid \(pid))" }
}
