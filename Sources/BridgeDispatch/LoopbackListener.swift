import SocketActivation
#if canImport(Glibc)
import Glibc
#endif

/// The public TCP sockets of a dispatcher started without systemd (`--listen`): bound to a
/// loopback address, listening, non-blocking. Without `SO_REUSEPORT`, no other account can bind
/// the same address and port while the dispatcher holds it.
public enum LoopbackListener {
    /// A listening socket on `address`: `127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT`.
    /// - Throws: `SystemCallError` when the address is not loopback (`EADDRNOTAVAIL`) or cannot
    ///   be bound (`EADDRINUSE`...).
    public static func bind(_ address: String) throws(SystemCallError) -> InheritedSocket {
        guard let port = RegistryMessage.port(of: address), let colon = address.lastIndex(of: ":") else {
            throw SystemCallError(function: "listen address \(address)", code: EINVAL)
        }
        var host = String(address[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let v6 = host.contains(":")
        let descriptor = try SystemCall.run("socket") {
            socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        do throws(SystemCallError) {
            var one: Int32 = 1
            let size = socklen_t(MemoryLayout<Int32>.size)
            try SystemCall.run("setsockopt(SO_REUSEADDR)") { setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, size) }
            if v6 {
                try SystemCall.run("setsockopt(IPV6_V6ONLY)") { setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, size) }
                var socketAddress = sockaddr_in6()
                socketAddress.sin6_family = sa_family_t(AF_INET6)
                socketAddress.sin6_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET6, host, &socketAddress.sin6_addr) == 1 else { throw SystemCallError(function: "address \(host)", code: EINVAL) }
                try SystemCall.run("bind(\(address))") {
                    withUnsafePointer(to: &socketAddress) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                    }
                }
            } else {
                var socketAddress = sockaddr_in()
                socketAddress.sin_family = sa_family_t(AF_INET)
                socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else { throw SystemCallError(function: "address \(host)", code: EINVAL) }
                try SystemCall.run("bind(\(address))") {
                    withUnsafePointer(to: &socketAddress) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                }
            }
            try SystemCall.run("listen") { listen(descriptor, 128) }
            do {
                return try InheritedSocket(descriptor: descriptor)
            } catch {
                throw SystemCallError(function: "listen address \(address) (\(error))", code: EADDRNOTAVAIL)
            }
        } catch {
            close(descriptor)
            throw error
        }
    }
}

extension InheritedSocket {
    /// `127.0.0.1:24830` or `[::1]:24830`, as a `Host` header names it.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
