import BridgeDispatch
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Serves the connections a dispatcher hands over (`serve --dispatcher PATH`) instead of
/// accepting any: each descriptor received through the `DispatcherLink` is adopted as a NIO
/// channel and set up and handled by the same `ServerChildChannel` as a connection the daemon
/// accepted itself, its peer checked again. After each registration, the `Host` check follows
/// the dispatcher's public port.
///
/// A graceful shutdown ends the registration first (the dispatcher answers this account
/// `bridgeNotRunning` from then on), then lets the open connections finish.
struct DispatchedSocketServer<ChildChannel: ServerChildChannel>: Service {
    let registryPath: String
    let childChannel: ChildChannel
    let hosts: HostPolicy
    let onRegistered: @Sendable ([String]) -> Void
    let logger: Logger

    func run() async throws {
        let (descriptors, continuation) = AsyncStream.makeStream(of: Int32.self)
        let link = DispatcherLink(path: registryPath, logger: logger)
        let hosts = hosts
        let onRegistered = onRegistered
        link.start(onWelcome: { addresses in
            hosts.serve(ports: Set(addresses.compactMap(RegistryMessage.port(of:))))
            onRegistered(addresses)
        }, onConnection: { descriptor in
            if case .terminated = continuation.yield(descriptor) { close(descriptor) }
        }, onEnd: {
            continuation.finish()
        })
        defer { link.stop() }
        let childChannel = childChannel
        let logger = logger
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { connections in
                for await descriptor in descriptors {
                    connections.addTask {
                        do {
                            let value = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                                .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                                .withConnectedSocket(descriptor) { channel in childChannel.setup(channel: channel, logger: logger) }
                            await childChannel.handle(value: value, logger: logger)
                        } catch {
                            logger.debug("a connection from the dispatcher could not be adopted: \(error)")
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            link.stop()
        }
    }
}
