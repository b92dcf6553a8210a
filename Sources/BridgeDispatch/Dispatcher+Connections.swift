import BridgeProtocol
import Logging
import PeerCredentials
#if canImport(Glibc)
import Glibc
#endif

extension Dispatcher {
    /// Accepts what is waiting on a public socket and hands each connection over.
    func acceptConnections(on listener: Int32) {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let accepted = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    try? SystemCall.accept(listener, address, &length, nonBlocking: false)
                }
            }
            guard let connection = accepted else {
                if errno != EAGAIN && errno != EWOULDBLOCK { logger.error("accept4 on fd \(listener) failed: \(String(cString: strerror(errno)))") }
                return
            }
            handOver(connection, remote: storage)
        }
    }

    /// Gives `connection` to its account's daemon, or refuses it; either way the dispatcher's
    /// copy is closed and no byte of it has been read.
    func handOver(_ connection: Int32, remote: sockaddr_storage) {
        let uid: UInt32
        do {
            guard let remote = Self.endpoint(remote), let local = Self.localEndpoint(connection) else {
                throw PeerLookupError.malformedAnswer("not a TCP/IP connection")
            }
            uid = try LoopbackPeer.owner(remote: remote, local: local)
        } catch {
            logger.debug("a connection whose account cannot be told (\(error)): closed")
            close(connection)
            return
        }
        guard let registration = registrations[uid] else {
            noDaemon(uid)
            refuse(connection, ErrorPayload(code: .bridgeNotRunning))
            return
        }
        do {
            try registration.socket.send(.connection, passing: connection, wait: false)
            close(connection)
        } catch let error as SystemCallError where error.wouldBlock {
            // The daemon is alive but has not taken the connections already sent.
            logger.warning("the daemon of uid \(uid) (pid \(registration.peer.pid)) is not taking its connections: 503 busy")
            refuse(connection, ErrorPayload(code: .busy, detail: "the CPS service of this session is not keeping up: retry shortly"), retryAfter: 1)
        } catch {
            logger.info("the daemon of uid \(uid) (pid \(registration.peer.pid)) is gone (\(error)): registration dropped")
            drop(uid)
            refuse(connection, ErrorPayload(code: .bridgeNotRunning))
        }
    }

    /// Logs that `uid` has no daemon: at `info` once a minute per account, else at `debug`.
    private func noDaemon(_ uid: UInt32) {
        let now = ContinuousClock.now
        if let last = lastNoDaemonLog[uid], last.duration(to: now) < .seconds(60) {
            logger.debug("no daemon registered for uid \(uid): 503 bridgeNotRunning")
        } else {
            lastNoDaemonLog[uid] = now
            logger.info("no daemon registered for uid \(uid): 503 bridgeNotRunning")
        }
    }

    /// Writes the canned answer, shuts the output, and drains what the client sends until it
    /// closes (at most `refusalLinger`): closing with unread bytes would reset the connection
    /// and could destroy the answer before the client reads it.
    func refuse(_ connection: Int32, _ payload: ErrorPayload, retryAfter: Int? = nil) {
        _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) | O_NONBLOCK)
        let bytes = CannedResponse.bytes(payload, retryAfter: retryAfter)
        // A few hundred bytes into an empty socket buffer: written whole or not at all.
        _ = try? SystemCall.run("send") { bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        _ = shutdown(connection, Int32(SHUT_WR))
        guard lingering.count < Self.maxLingering else {
            close(connection)
            return
        }
        lingering[connection] = ContinuousClock.now + Self.refusalLinger
    }

    /// Reads and drops what a refused client sent; closes when it has closed its side.
    func drain(_ connection: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(connection, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            lingering[connection] = nil
            close(connection)
            return
        }
    }

    /// The endpoint of an IPv4 or IPv6 socket address.
    static func endpoint(_ storage: sockaddr_storage) -> Endpoint? {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return Endpoint(address: withUnsafeBytes(of: address.sin_addr) { Array($0) }, port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            return Endpoint(address: withUnsafeBytes(of: address.sin6_addr) { Array($0) }, port: UInt16(bigEndian: address.sin6_port))
        default:
            return nil
        }
    }

    /// The dispatcher's own end of `connection`.
    static func localEndpoint(_ connection: Int32) -> Endpoint? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(connection, $0, &length) }
        }
        return named == 0 ? endpoint(storage) : nil
    }
}
