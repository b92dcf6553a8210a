import BridgeProtocol
import Logging
import PeerCredentials
import SocketActivation
#if canImport(Glibc)
import Glibc
#endif

/// `cps-bridge dispatch`: holds the public loopback port for every account of a shared PC and
/// hands each connection, unread, to the daemon of the account that opened it.
///
/// One thread, one `poll(2)` loop over: the public TCP sockets, the registration socket, the
/// daemons' connections to it (registered or not yet), and the connections being refused. Per
/// accepted TCP connection: the kernel says which account owns the peer (`LoopbackPeer`); that
/// account's registered daemon gets the descriptor (`CONNECTION` + `SCM_RIGHTS`) and the
/// dispatcher closes its copy without having read a byte. An account with no daemon, or whose
/// daemon is gone, gets `503 bridgeNotRunning` and nothing else. The dispatcher holds no card
/// access and runs no card code.
public final class Dispatcher {
    /// How long a daemon's new registry connection has to say `REGISTER`.
    static let registrationTimeout = Duration.seconds(5)
    /// How long a refused connection is drained after its answer before it is closed.
    static let refusalLinger = Duration.seconds(2)
    /// At most this many refused connections are drained at once; more are closed at once.
    static let maxLingering = 256
    /// At most this many registry connections may be waiting to register.
    static let maxPending = 64

    let listeners: [InheritedSocket]
    let registry: RegistrySocket
    let logger: Logger
    /// The dispatcher's own account: it never registers (it has no card, and is nobody's session).
    let ownUID: UInt32
    var pending: [Int32: PendingRegistration] = [:]
    var registrations: [UInt32: Registration] = [:]
    /// Refused connections being drained, until their deadline.
    var lingering: [Int32: ContinuousClock.Instant] = [:]
    /// When each account's missing daemon was last logged at `info` (then once a minute).
    var lastNoDaemonLog: [UInt32: ContinuousClock.Instant] = [:]

    /// - Parameters:
    ///   - listeners: the public TCP sockets (from systemd or `LoopbackListener`).
    ///   - registry: the listening registration socket.
    public init(listeners: [InheritedSocket], registry: RegistrySocket, logger: Logger, ownUID: UInt32 = geteuid()) {
        self.listeners = listeners
        self.registry = registry
        self.logger = logger
        self.ownUID = ownUID
        for listener in listeners { _ = fcntl(listener.descriptor, F_SETFL, fcntl(listener.descriptor, F_GETFL) | O_NONBLOCK) }
        _ = fcntl(registry.descriptor, F_SETFL, fcntl(registry.descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// The public addresses, as `WELCOME` gives them to the daemons.
    public var addresses: [String] { listeners.map(\.address) }

    /// What a descriptor in the poll set is.
    enum Watched {
        case listener
        case registry
        case pending
        case registered(UInt32)
        case lingering
    }

    /// Serves until the process ends.
    public func run() -> Never {
        while true { step() }
    }

    /// One round of the loop: waits for an event (or the next deadline, at most a second),
    /// handles every ready descriptor, then what has expired.
    func step() {
        var watched: [(Int32, Watched)] = listeners.map { ($0.descriptor, Watched.listener) } + [(registry.descriptor, Watched.registry)]
        watched += pending.keys.map { ($0, Watched.pending) }
        watched += registrations.map { ($0.value.socket.descriptor, Watched.registered($0.key)) }
        watched += lingering.keys.map { ($0, Watched.lingering) }
        var polled = watched.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
        let ready: Int32
        do {
            ready = try SystemCall.run("poll") { poll(&polled, nfds_t(polled.count), Self.timeout(until: nextDeadline)) }
        } catch {
            logger.error("\(error)")
            usleep(100_000)
            return
        }
        if ready > 0 {
            for (index, entry) in polled.enumerated() where entry.revents != 0 {
                switch watched[index].1 {
                case .listener: acceptConnections(on: entry.fd)
                case .registry: acceptRegistrations()
                case .pending: readRegistration(entry.fd)
                case .registered(let uid): readRegistered(uid, entry.fd)
                case .lingering: drain(entry.fd)
                }
            }
        }
        expire(now: .now)
    }

    var nextDeadline: ContinuousClock.Instant? {
        (pending.values.map(\.deadline) + lingering.values).min()
    }

    /// Milliseconds to wait for `deadline`, between 0 and 1000.
    static func timeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return 1000 }
        let left = ContinuousClock.now.duration(to: deadline)
        let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(max(0, min(1000, milliseconds)))
    }

    /// Closes the registry connections that did not register in time and the refused
    /// connections drained long enough.
    func expire(now: ContinuousClock.Instant) {
        for (descriptor, entry) in pending where entry.deadline <= now {
            logger.notice("a registry connection said nothing for \(Self.registrationTimeout): closed")
            pending[descriptor] = nil
            entry.socket.close()
        }
        for (descriptor, deadline) in lingering where deadline <= now {
            lingering[descriptor] = nil
            close(descriptor)
        }
    }
}
