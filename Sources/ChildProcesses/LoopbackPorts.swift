#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// TCP ports on 127.0.0.1 for the helpers a bed starts (vpcd channels, servers).
public enum LoopbackPorts {
    /// Whether `port` can be bound on 127.0.0.1 now (nothing listens on it).
    public static func isFree(_ port: Int) -> Bool {
        withSocket { fd in
            var addr = loopback(port: port)
            return withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        } ?? false
    }

    /// `pick()`, or an error saying no port could be had.
    public static func free() throws(ChildProcessError) -> Int {
        guard let port = pick() else { throw ChildProcessError("no free TCP port on 127.0.0.1 (errno \(errno))") }
        return port
    }

    /// A port nothing listens on now, as the kernel picks it (bind to port 0). Another
    /// program may take it before the caller binds it: fine for tests and the demo.
    public static func pick() -> Int? {
        withSocket { fd in
            var addr = loopback(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            return bound ? Int(UInt16(bigEndian: addr.sin_port)) : nil
        } ?? nil
    }

    /// A TCP connection to 127.0.0.1:`port` with a receive timeout (and `TCP_NODELAY`), as a
    /// blocking descriptor the caller closes; or the `errno` of the failure.
    public static func connect(_ port: Int, receiveTimeoutSeconds: Int) -> Result<Int32, POSIXError> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = loopback(port: port)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            close(fd)
            return .failure(error)
        }
        return .success(fd)
    }

    private static func withSocket<T>(_ body: (Int32) -> T) -> T? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return body(fd)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }
}
