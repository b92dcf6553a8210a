import BridgeDispatch
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A user's daemon's registration with the dispatcher (`serve --dispatcher PATH`), on a thread
/// of its own: connects to the registration socket, says `REGISTER`, learns the public
/// addresses from `WELCOME`, then receives its account's connections as descriptors.
///
/// When the dispatcher is absent or its registration drops (the dispatcher restarted), it logs
/// it and registers again with backoff (0.25 s doubling to 5 s), for as long as the daemon runs.
/// `REPLACED` (another daemon of the same account registered) ends it: two daemons of one
/// account would otherwise take the registration from each other forever.
final class DispatcherLink: Sendable {
    let path: String
    let logger: Logger
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    private struct State {
        var stopped = false
        var socket: RegistrySocket?
    }

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Starts the thread.
    /// - Parameters:
    ///   - onWelcome: the public addresses, after each registration.
    ///   - onConnection: one connection's descriptor, now the callee's.
    ///   - onEnd: after `stop()` or `REPLACED`.
    func start(onWelcome: @escaping @Sendable ([String]) -> Void, onConnection: @escaping @Sendable (Int32) -> Void,
               onEnd: @escaping @Sendable () -> Void) {
        // A queue of its own: its blocking reads hold one thread, never a shared one.
        DispatchQueue(label: "cps-bridge dispatcher link").async { [self] in
            run(onWelcome: onWelcome, onConnection: onConnection)
            onEnd()
        }
    }

    /// Ends the registration (the dispatcher then refuses this account's new connections) and
    /// the thread.
    func stop() {
        state.withLock {
            $0.stopped = true
            $0.socket?.shutdown()
        }
        wake.signal()
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func run(onWelcome: @Sendable ([String]) -> Void, onConnection: @Sendable (Int32) -> Void) {
        var delay = 0.25
        var failures = 0
        var registeredBefore = false
        while !stopped {
            do {
                let socket = try RegistrySocket.connect(path: path)
                let kept = state.withLock { state in
                    guard !state.stopped else { return false }
                    state.socket = socket
                    return true
                }
                defer {
                    state.withLock { $0.socket = nil }
                    socket.close()
                }
                guard kept else { break }
                let addresses = try register(socket)
                onWelcome(addresses)
                let verb = registeredBefore ? "registered again" : "registered"
                logger.info("\(verb) with the dispatcher at \(path): connections of this account to \(addresses.joined(separator: " ")) come here")
                registeredBefore = true
                delay = 0.25
                failures = 0
                while let (message, descriptor) = try socket.receive() {
                    switch message {
                    case .connection:
                        if let descriptor { onConnection(descriptor) }
                    case .replaced:
                        logger.error("another cps-bridge daemon of this account registered with the dispatcher: this one no longer receives connections")
                        state.withLock { $0.stopped = true }
                        return
                    default:
                        logger.debug("unexpected message from the dispatcher: \(message.line.prefix(16))")
                    }
                }
                if !stopped { logger.warning("the dispatcher at \(path) dropped the registration (restarted?): registering again") }
            } catch {
                guard !stopped else { break }
                failures += 1
                if failures == 1 {
                    logger.warning("cannot register with the dispatcher at \(path): \(error); no connection reaches this daemon until it does; retrying")
                } else {
                    logger.debug("dispatcher at \(path), try \(failures): \(error)")
                }
            }
            _ = wake.wait(timeout: .now() + delay)
            delay = min(delay * 2, 5)
        }
    }

    /// `REGISTER`, then the dispatcher's answer within 5 s: the public addresses.
    private func register(_ socket: RegistrySocket) throws -> [String] {
        try socket.setReceiveTimeout(seconds: 5)
        try socket.send(.register(version: RegistryMessage.version, software: "cps-bridge/\(BridgeServer.version)"))
        guard let (answer, _) = try socket.receive() else { throw LinkError("the dispatcher closed the connection without answering") }
        try socket.setReceiveTimeout(seconds: 0)
        switch answer {
        case .welcome(_, let uid, let addresses) where uid == geteuid():
            return addresses
        case .welcome(_, let uid, _):
            throw LinkError("the dispatcher registered uid \(uid), not this daemon's \(geteuid())")
        case .refused(let why):
            throw LinkError("the dispatcher refused the registration: \(why)")
        default:
            throw LinkError("unexpected answer \(answer.line.prefix(16))")
        }
    }
}

/// What went wrong registering, for the log.
struct LinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
