import PeerCredentials
#if canImport(Glibc)
import Glibc
#endif

/// A `SOCK_SEQPACKET` Unix socket of the registration protocol: the dispatcher's listening
/// socket, or one daemon's connection to it. Each `RegistryMessage` is one packet; a
/// `CONNECTION` packet carries one descriptor (`SCM_RIGHTS`, `unix(7)`).
///
/// A value names a descriptor; whoever made it closes it (`close()`).
public struct RegistrySocket: Sendable, Hashable {
    public let descriptor: Int32

    /// Adopts `descriptor`.
    public init(descriptor: Int32) { self.descriptor = descriptor }

    /// A new listening socket at `path` (a stale socket file there is replaced), with file mode
    /// `mode`: 0666 lets every account's daemon connect, the dispatcher then telling them
    /// apart by `SO_PEERCRED`.
    public static func listen(path: String, mode: mode_t = 0o666) throws(SystemCallError) -> RegistrySocket {
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
        let socket = try make()
        do throws(SystemCallError) {
            try socket.withAddress(path) { address, length throws(SystemCallError) in
                try SystemCall.run("bind(\(path))") { bind(socket.descriptor, address, length) }
            }
            try SystemCall.run("chmod(\(path))") { chmod(path, mode) }
            try SystemCall.run("listen") { Glibc.listen(socket.descriptor, 64) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// A connection to the dispatcher listening at `path`.
    public static func connect(path: String) throws(SystemCallError) -> RegistrySocket {
        let socket = try make()
        do throws(SystemCallError) {
            try socket.withAddress(path) { address, length throws(SystemCallError) in
                try SystemCall.run("connect(\(path))") { Glibc.connect(socket.descriptor, address, length) }
            }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Whether `descriptor` is a listening `SOCK_SEQPACKET` Unix socket (one systemd passed).
    public static func isListeningPacketSocket(_ descriptor: Int32) -> Bool {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        return option(SO_DOMAIN) == AF_UNIX && option(SO_TYPE) == Int32(SOCK_SEQPACKET.rawValue) && option(SO_ACCEPTCONN) == 1
    }

    /// The next daemon's connection (close-on-exec, non-blocking).
    public func accept() throws(SystemCallError) -> RegistrySocket {
        RegistrySocket(descriptor: try SystemCall.accept(descriptor, nil, nil, nonBlocking: true))
    }

    /// The account at the other end, as the kernel recorded it when it connected.
    public func peer() throws(PeerLookupError) -> UnixPeer { try UnixPeer.of(descriptor: descriptor) }

    /// How long `receive()` may wait (0: forever).
    public func setReceiveTimeout(seconds: Int) throws(SystemCallError) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        try SystemCall.run("setsockopt(SO_RCVTIMEO)") {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Stops both directions: a `receive()` blocked in another thread returns the end.
    public func shutdown() { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }

    public func close() { _ = Glibc.close(descriptor) }

    private static func make() throws(SystemCallError) -> RegistrySocket {
        let type = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return RegistrySocket(descriptor: try SystemCall.run("socket(AF_UNIX, SOCK_SEQPACKET)") { socket(AF_UNIX, type, 0) })
    }

    /// Calls `body` with `path` as a `sockaddr_un`.
    private func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemCallError) -> Void) throws(SystemCallError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw SystemCallError(function: "socket path \(path)", code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        try withUnsafePointer(to: &address) { pointer throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                try body(address, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
