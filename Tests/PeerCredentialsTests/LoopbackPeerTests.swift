import CardTestBed
import Foundation
@testable import PeerCredentials
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The owner of the other end of a loopback connection, asked of the real kernel: our own
/// connections, another account's, IPv6, and connections that do not exist.
@Suite struct LoopbackPeerTests {
    @Test func ownConnectionIsOurs() throws {
        let pair = try ConnectionPair(family: AF_INET)
        defer { pair.close() }
        #expect(try LoopbackPeer.owner(remote: pair.client, local: pair.server) == geteuid())
    }

    @Test func ownIPv6ConnectionIsOurs() throws {
        let pair = try ConnectionPair(family: AF_INET6)
        defer { pair.close() }
        #expect(pair.client.address.count == 16)
        #expect(try LoopbackPeer.owner(remote: pair.client, local: pair.server) == geteuid())
    }

    @Test func procTablesAgreeWithNetlink() throws {
        for family in [AF_INET, AF_INET6] {
            let pair = try ConnectionPair(family: family)
            defer { pair.close() }
            #expect(try ProcNetTCP.owner(source: pair.client, destination: pair.server) == geteuid())
            #expect(try SockDiag.owner(source: pair.client, destination: pair.server) == geteuid())
        }
    }

    @Test func unknownConnectionIsNotFound() throws {
        let pair = try ConnectionPair(family: AF_INET)
        pair.close()
        let missing = Endpoint(host: "127.0.0.1", port: Int(pair.client.port))!
        #expect(throws: PeerLookupError.notFound(missing.description)) {
            try LoopbackPeer.owner(remote: missing, local: pair.server)
        }
    }

    @Test func foreignAddressIsRefused() throws {
        let outside = try #require(Endpoint(host: "192.0.2.7", port: 4000))
        let local = try #require(Endpoint(host: "127.0.0.1", port: 24830))
        #expect(throws: PeerLookupError.notLoopback(outside.description)) { try LoopbackPeer.owner(remote: outside, local: local) }
    }

    @Test func endpointText() throws {
        #expect(Endpoint(host: "127.0.0.1", port: 24830)?.description == "127.0.0.1:24830")
        #expect(Endpoint(host: "::1", port: 24830)?.description == "[::1]:24830")
        #expect(Endpoint(host: "::ffff:127.0.0.2", port: 1)?.isLoopback == true)
        #expect(Endpoint(host: "localhost", port: 1) == nil)
        #expect(ProcNetTCP.hex(Endpoint(host: "127.0.0.1", port: 24830)!) == "0100007F:60FE")
    }

    /// A connection made by a process of another account is that account's.
    @Test(.enabled(if: UnixAccounts.runTests)) func anotherAccountsConnectionIsTheirs() throws {
        let (uid, _) = try UnixAccounts.ensure("cpsb-peer-a")
        let listener = try Listener(family: AF_INET)
        defer { close(listener.fd) }
        let script = "import socket,time; s=socket.create_connection(('127.0.0.1',\(listener.endpoint.port))); time.sleep(3)"
        let process = Process()
        let command = try UnixAccounts.command(as: "cpsb-peer-a", ["/usr/bin/python3", "-c", script])
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let (fd, remote) = try listener.accept()
        defer { close(fd) }
        #expect(try LoopbackPeer.owner(remote: remote, local: listener.endpoint) == uid)
        #expect(uid != geteuid())
    }
}

/// A listening socket on the loopback address of `family`, on a port the kernel picks.
struct Listener {
    let fd: Int32
    let endpoint: Endpoint

    init(family: Int32) throws {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var storage = sockaddr_storage()
        var length: socklen_t
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        let bound = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestBedError("cannot listen on loopback (errno \(errno))") }
        endpoint = Self.endpoint(storage)
    }

    func accept() throws -> (Int32, Endpoint) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let accepted = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
        }
        guard accepted >= 0 else { throw TestBedError("accept failed (errno \(errno))") }
        return (accepted, Self.endpoint(storage))
    }

    static func endpoint(_ storage: sockaddr_storage) -> Endpoint {
        var storage = storage
        if Int32(storage.ss_family) == AF_INET {
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return Endpoint(address: withUnsafeBytes(of: address.sin_addr) { Array($0) }, port: UInt16(bigEndian: address.sin_port))!
        }
        let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
        return Endpoint(address: withUnsafeBytes(of: address.sin6_addr) { Array($0) }, port: UInt16(bigEndian: address.sin6_port))!
    }
}

/// A connected pair in this process: `client` is the connecting end, `server` the accepted one.
struct ConnectionPair {
    let fds: [Int32]
    let client: Endpoint
    let server: Endpoint

    init(family: Int32) throws {
        let listener = try Listener(family: family)
        let clientFD = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener.fd, $0, &length) }
        }
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(clientFD, $0, length) }
        }
        guard connected == 0 else { throw TestBedError("cannot connect on loopback (errno \(errno))") }
        let (serverFD, remote) = try listener.accept()
        fds = [clientFD, serverFD, listener.fd]
        client = remote
        server = listener.endpoint
    }

    func close() { fds.forEach { _ = Glibc.close($0) } }
}
