import Logging
import PeerCredentials
#if canImport(Glibc)
import Glibc
#endif

extension Dispatcher {
    /// Accepts the daemons' new registry connections; each has `registrationTimeout` to register.
    func acceptRegistrations() {
        while let socket = try? registry.accept() {
            guard pending.count < Self.maxPending else {
                logger.warning("\(Self.maxPending) registry connections waiting to register: one more closed")
                socket.close()
                continue
            }
            pending[socket.descriptor] = PendingRegistration(socket: socket, deadline: ContinuousClock.now + Self.registrationTimeout)
        }
    }

    /// The first message of a registry connection: `REGISTER`, from an account that may register.
    func readRegistration(_ descriptor: Int32) {
        guard let entry = pending[descriptor] else { return }
        let socket = entry.socket
        let received: (message: RegistryMessage, descriptor: Int32?)?
        do {
            received = try socket.receive(wait: false)
        } catch let error as SystemCallError where error.wouldBlock {
            return
        } catch {
            pending[descriptor] = nil
            refuseRegistration(socket, "\(error)")
            return
        }
        pending[descriptor] = nil
        guard let received else {
            socket.close()
            return
        }
        guard case .register(let version, let software) = received.message else {
            refuseRegistration(socket, "expected REGISTER")
            return
        }
        let peer: UnixPeer
        do {
            peer = try socket.peer()
        } catch {
            refuseRegistration(socket, "\(error)")
            return
        }
        guard version == RegistryMessage.version else {
            refuseRegistration(socket, "version \(version) is not spoken here (this dispatcher speaks \(RegistryMessage.version))", peer: peer)
            return
        }
        guard peer.uid != 0 else {
            refuseRegistration(socket, "root's connections are not dispatched: run cps-bridge serve as the person using the card", peer: peer)
            return
        }
        guard peer.uid != ownUID else {
            refuseRegistration(socket, "the dispatcher's own account (uid \(ownUID)) is nobody's session", peer: peer)
            return
        }
        if let previous = registrations[peer.uid] {
            logger.notice("uid \(peer.uid): a new daemon (pid \(peer.pid)) replaces the one registered (pid \(previous.peer.pid))")
            try? previous.socket.send(.replaced, wait: false)
            previous.socket.close()
        }
        do {
            try socket.send(.welcome(version: RegistryMessage.version, uid: peer.uid, addresses: addresses), wait: false)
        } catch {
            logger.info("uid \(peer.uid) (pid \(peer.pid)) left before its welcome: \(error)")
            registrations[peer.uid] = nil
            socket.close()
            return
        }
        registrations[peer.uid] = Registration(socket: socket, peer: peer, software: String(software.prefix(64)))
        logger.info("registered the daemon of uid \(peer.uid) (pid \(peer.pid), \(software.prefix(64)))")
    }

    /// A registered daemon's socket is readable: it closed (it stopped or died), or it sent
    /// something it should not have (ignored).
    func readRegistered(_ uid: UInt32, _ descriptor: Int32) {
        guard let registration = registrations[uid], registration.socket.descriptor == descriptor else { return }
        do {
            if let received = try registration.socket.receive(wait: false) {
                if let stray = received.descriptor { close(stray) }
                logger.debug("uid \(uid) sent \(received.message.line.prefix(16)) after registering: ignored")
                return
            }
            logger.info("the daemon of uid \(uid) (pid \(registration.peer.pid)) closed its registration")
        } catch let error as SystemCallError where error.wouldBlock {
            return
        } catch {
            logger.info("the daemon of uid \(uid) (pid \(registration.peer.pid)) is gone (\(error))")
        }
        drop(uid)
    }

    /// Forgets `uid`'s registration and closes its socket.
    func drop(_ uid: UInt32) {
        guard let registration = registrations.removeValue(forKey: uid) else { return }
        registration.socket.close()
    }

    private func refuseRegistration(_ socket: RegistrySocket, _ why: String, peer: UnixPeer? = nil) {
        logger.notice("registration refused\(peer.map { " for \($0)" } ?? ""): \(why)")
        try? socket.send(.refused(why), wait: false)
        socket.close()
    }
}
