import ArgumentParser
import CommandSupport
import BridgeDispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import SocketActivation
#if canImport(Glibc)
import Glibc
#endif

/// `cps-bridge dispatch`: on a PC shared by several accounts, the system service holding the
/// public port and handing each connection to its account's own daemon (docs/CONFIGURATION.md,
/// docs/ARCHITECTURE.md).
struct DispatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "On a PC shared by several accounts: hold 127.0.0.1:24830 and [::1]:24830 and hand each connection to the daemon of the account that opened it."
    )

    static let defaultAddresses = ["127.0.0.1:24830", "[::1]:24830"]

    @Option(help: "A public address, 127.0.0.1:PORT or [::1]:PORT; repeat for both. Default 127.0.0.1:24830 and [::1]:24830. Sockets from systemd (LISTEN_FDS) take their place.")
    var listen: [String] = []
    @Option(help: "The registration socket the users' daemons connect to (created with mode 0666). A socket from systemd named \"registry\" takes its place.")
    var registry = "/run/cps-bridge/dispatch.sock"
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else { throw CommandFailure("log-level: \"\(logLevel)\" is not a level") }
        bootstrapLogging(level: level)
        let logger = Logger(label: "cps-bridge.dispatch")
        var listeners: [InheritedSocket] = []
        var registrySocket: RegistrySocket?
        do {
            for (descriptor, name) in try InheritedSocket.takeFromSystemd() {
                // Told apart by kind (a unit's FileDescriptorName= names all its sockets alike);
                // one named "registry" must be the registration socket.
                if name == "registry" || RegistrySocket.isListeningPacketSocket(descriptor) {
                    guard RegistrySocket.isListeningPacketSocket(descriptor) else {
                        throw CommandFailure("the socket systemd passed as \"registry\" (fd \(descriptor)) is not a listening SOCK_SEQPACKET Unix socket: use ListenSequentialPacket=/run/cps-bridge/dispatch.sock")
                    }
                    guard registrySocket == nil else { throw CommandFailure("systemd passed several registration sockets (fd \(descriptor)): give one") }
                    registrySocket = RegistrySocket(descriptor: descriptor)
                } else {
                    listeners.append(try InheritedSocket(descriptor: descriptor, name: name))
                }
            }
        } catch let error as InheritedSocketError {
            throw CommandFailure(error.description.replacing("use one ListenStream=127.0.0.1:PORT", with: "use ListenStream=127.0.0.1:PORT and ListenStream=[::1]:PORT"))
        }
        if listeners.isEmpty {
            for address in listen.isEmpty ? Self.defaultAddresses : listen {
                do {
                    listeners.append(try LoopbackListener.bind(address))
                } catch where listen.isEmpty && address.hasPrefix("[") {
                    logger.warning("not listening on \(address) (no IPv6 loopback here?): \(error)")
                } catch {
                    throw CommandFailure("cannot listen on \(address): \(error)")
                }
            }
        } else if !listen.isEmpty {
            logger.notice("--listen ignored: systemd passed the public sockets")
        }
        if registrySocket == nil {
            do {
                registrySocket = try RegistrySocket.listen(path: registry)
            } catch {
                throw CommandFailure("cannot create the registration socket: \(error) (its folder must exist: RuntimeDirectory=cps-bridge under systemd)")
            }
        }
        guard let registrySocket else { return }
        let dispatcher = Dispatcher(listeners: listeners, registry: registrySocket, logger: logger)
        logger.info("dispatching \(dispatcher.addresses.joined(separator: " ")) to the daemons registered at \(registry) (this account: uid \(geteuid()))")
        dispatcher.run()
    }
}
