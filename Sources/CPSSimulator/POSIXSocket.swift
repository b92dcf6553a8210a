#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX socket calls the simulator needs; every call retries EINTR.
/// A socket is a plain file descriptor owned by the caller.
enum POSIXSocket {
    /// Connects a TCP socket to `host:port` (IPv4 dotted quad or `localhost`) with
    /// `TCP_NODELAY` set. `nil` when the peer is not there (refused, unreachable).
    static func connectTCP(host: String, port: UInt16) -> Int32? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        let dotted = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, dotted, &address.sin_addr) == 1 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                retrying { connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else { close(fd); return nil }
        setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        return fd
    }

    /// Asks Linux to acknowledge at once (it clears this flag after each use): call before every read.
    static func quickAck(_ fd: Int32) {
        #if os(Linux)
        setOption(fd, level: Int32(IPPROTO_TCP), name: Int32(TCP_QUICKACK), value: 1)
        #endif
    }

    /// Reads exactly `count` bytes; `nil` on EOF or error.
    static func readExactly(_ fd: Int32, _ count: Int, quickAck ack: Bool = false) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            if ack { quickAck(fd) }
            let n = buffer.withUnsafeMutableBytes { raw in
                retrying { read(fd, raw.baseAddress! + got, count - got) }
            }
            guard n > 0 else { return nil }
            got += n
        }
        return buffer
    }

    /// Writes all of `bytes` (one `write` call unless the kernel takes less); `false` on error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                retrying { send(fd, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Creates a listening Unix stream socket at `path` (an old file there is replaced).
    static func listenUnix(path: String) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
            raw[bytes.count] = 0
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); return nil }
        chmod(path, 0o600)
        return fd
    }

    /// Accepts one connection; `nil` on error.
    static func accept(_ fd: Int32) -> Int32? {
        let client = retrying { Glibc.accept(fd, nil, nil) }
        return client >= 0 ? client : nil
    }

    /// Shuts both directions down, waking a thread blocked in `read`.
    static func shutdownBoth(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    private static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func retrying<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
