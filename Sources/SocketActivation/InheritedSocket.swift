#if canImport(Glibc)
import Glibc
#endif

/// A listening socket handed over by systemd socket activation (`sd_listen_fds(3)`), checked to
/// be what `--listen` would have made: a listening TCP socket on a loopback address.
public struct InheritedSocket: Sendable, Hashable {
    /// The first descriptor systemd passes (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: Int32 = 3
    /// The variables `sd_listen_fds` reads, removed so that no child process inherits them.
    public static let variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    public let descriptor: Int32
    /// Its name in the socket unit (`FileDescriptorName=`, default the unit's name), if given.
    public let name: String?
    /// Its local address: `127.x.y.z` or `::1`.
    public let host: String
    public let port: Int

    /// The socket systemd passed to this process, or `nil` when it was not socket-activated.
    /// Like `sd_listen_fds(1)`, removes the `LISTEN_*` variables from the environment either way
    /// and marks the descriptor close-on-exec (the PIN prompt must not inherit it).
    /// - Throws: `InheritedSocketError` when the variables are malformed, name several sockets,
    ///   or the socket is not a loopback listening TCP socket.
    public static func fromSystemd() throws(InheritedSocketError) -> InheritedSocket? {
        let passed = try takeFromSystemd()
        guard let (descriptor, name) = passed.first else { return nil }
        guard passed.count == 1 else { throw .severalSockets(passed.count) }
        return try InheritedSocket(descriptor: descriptor, name: name)
    }

    /// Every socket systemd passed to this process, with its name, unchecked (the dispatcher
    /// takes TCP sockets and its registration socket, told apart by name). Like `fromSystemd()`,
    /// removes the `LISTEN_*` variables and marks each descriptor close-on-exec.
    public static func takeFromSystemd() throws(InheritedSocketError) -> [(descriptor: Int32, name: String?)] {
        var environment: [String: String] = [:]
        for name in variables {
            if let value = getenv(name) { environment[name] = String(cString: value) }
            unsetenv(name)
        }
        let passed = try passedDescriptors(environment: environment, pid: getpid())
        for (descriptor, _) in passed {
            try system("fcntl") { fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }
        return passed.map { (descriptor: $0.0, name: $0.1) }
    }

    /// The descriptor (and its name) the `LISTEN_*` variables give to process `pid`, `nil` when
    /// they are absent, meant for another process, or give none.
    /// - Throws: `.severalSockets` when they give more than one.
    public static func passedDescriptor(environment: [String: String], pid: Int32) throws(InheritedSocketError) -> (Int32, String?)? {
        let passed = try passedDescriptors(environment: environment, pid: pid)
        guard passed.count <= 1 else { throw .severalSockets(passed.count) }
        return passed.first
    }

    /// Every descriptor (and its name, from `LISTEN_FDNAMES`) the `LISTEN_*` variables give to
    /// process `pid`, from 3 on; empty when they are absent or meant for another process.
    public static func passedDescriptors(environment: [String: String], pid: Int32) throws(InheritedSocketError) -> [(Int32, String?)] {
        guard let listenPID = environment["LISTEN_PID"], let listenFDs = environment["LISTEN_FDS"] else { return [] }
        guard let owner = Int32(listenPID) else { throw .badVariable("LISTEN_PID", listenPID) }
        guard owner == pid else { return [] }
        guard let count = Int(listenFDs), (0...1024).contains(count) else { throw .badVariable("LISTEN_FDS", listenFDs) }
        let names = environment["LISTEN_FDNAMES"]?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
        return (0..<count).map { index in
            let name = index < names.count && !names[index].isEmpty ? names[index] : nil
            return (firstDescriptor + Int32(index), name)
        }
    }

    /// Checks that `descriptor` is a listening TCP socket bound to a loopback address.
    /// - Throws: `InheritedSocketError` saying what it is instead.
    public init(descriptor: Int32, name: String? = nil) throws(InheritedSocketError) {
        guard try Self.option(descriptor, SOL_SOCKET, SO_TYPE) == Int32(SOCK_STREAM.rawValue) else { throw .notAStreamSocket(descriptor) }
        guard try Self.option(descriptor, SOL_SOCKET, SO_PROTOCOL) == Int32(IPPROTO_TCP) else { throw .notTCP(descriptor) }
        guard try Self.option(descriptor, SOL_SOCKET, SO_ACCEPTCONN) == 1 else { throw .notListening(descriptor) }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try Self.system("getsockname") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
        }
        let (host, port, loopback) = try Self.address(storage, descriptor)
        guard loopback else { throw .notLoopback(descriptor, host, port) }
        self.descriptor = descriptor
        self.name = name
        self.host = host
        self.port = port
    }

    /// The text form, port and loopback-ness of an IPv4 or IPv6 socket address.
    private static func address(_ storage: sockaddr_storage, _ descriptor: Int32) throws(InheritedSocketError) -> (String, Int, Bool) {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            var ip = address.sin_addr
            inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
            let firstByte = UInt32(bigEndian: ip.s_addr) >> 24
            return (Self.string(text), Int(UInt16(bigEndian: address.sin_port)), firstByte == 127)
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            var ip = address.sin6_addr
            inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
            let bytes = withUnsafeBytes(of: ip) { Array($0) }
            let loopback = bytes == [UInt8](repeating: 0, count: 15) + [1]
            // An IPv4-mapped loopback address (::ffff:127.x.y.z) is loopback too.
            let mappedLoopback = bytes.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] && bytes[12] == 127
            return (Self.string(text), Int(UInt16(bigEndian: address.sin6_port)), loopback || mappedLoopback)
        default:
            throw .notTCP(descriptor)
        }
    }

    private static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An integer socket option (`getsockopt`).
    private static func option(_ descriptor: Int32, _ level: Int32, _ name: Int32) throws(InheritedSocketError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try system("getsockopt") { getsockopt(descriptor, level, name, &value, &length) }
        return value
    }

    /// Calls `body` (named `function`), retrying on `EINTR`; -1 becomes an error naming it.
    private static func system(_ function: String, _ body: () -> Int32) throws(InheritedSocketError) {
        while body() == -1 {
            guard errno == EINTR else { throw .system(function, errno) }
        }
    }
}

/// Why the socket systemd passed cannot be served on, said so that the unit can be fixed.
public enum InheritedSocketError: Error, Hashable, Sendable, CustomStringConvertible {
    case badVariable(String, String)
    case severalSockets(Int)
    case notAStreamSocket(Int32)
    case notTCP(Int32)
    case notListening(Int32)
    case notLoopback(Int32, String, Int)
    case system(String, Int32)

    public var description: String {
        let fix = "use one ListenStream=127.0.0.1:PORT in the socket unit"
        return switch self {
        case .badVariable(let name, let value): "systemd socket activation: \(name)=\"\(value)\" is not a number"
        case .severalSockets(let count): "systemd passed \(count) sockets (LISTEN_FDS=\(count)); cps-bridge serves one: \(fix)"
        case .notAStreamSocket(let fd): "the socket systemd passed (fd \(fd)) is not a stream socket: \(fix)"
        case .notTCP(let fd): "the socket systemd passed (fd \(fd)) is not a TCP/IP socket: \(fix)"
        case .notListening(let fd): "the socket systemd passed (fd \(fd)) is not listening: \(fix)"
        case .notLoopback(let fd, let host, let port):
            "the socket systemd passed (fd \(fd)) is bound to \(host.contains(":") ? "[\(host)]" : host):\(port), not to loopback: "
                + "the daemon listens on loopback only; \(fix) (a bare port binds every address)"
        case .system(let function, let code): "systemd socket activation: \(function) failed: \(String(cString: strerror(code)))"
        }
    }
}
