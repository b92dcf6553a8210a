import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

/// Hummingbird's `Server`, on a socket the process inherited instead of one it binds:
/// Hummingbird 2.28 can only bind (`BindAddress` is a host and port, a Unix path or a Network
/// endpoint), while NIO's `ServerBootstrap` can adopt a listening descriptor. Connections are
/// set up and handled by the same `ServerChildChannel` as on a bound address; a graceful
/// shutdown stops accepting, lets the open connections finish (as Hummingbird does, with
/// NIO's `ServerQuiescingHelper`), then returns.
struct InheritedSocketServer<ChildChannel: ServerChildChannel>: Service {
    let socket: InheritedSocket
    let childChannel: ChildChannel
    let onServerRunning: @Sendable (any Channel) async -> Void
    let logger: Logger

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let childChannel = childChannel
        let logger = logger
        let server = try await ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(socket.descriptor) { channel in childChannel.setup(channel: channel, logger: logger) }
        await withGracefulShutdownHandler {
            await onServerRunning(server.channel)
            await withDiscardingTaskGroup { connections in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await childChannel.handle(value: connection, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("accepting connections on fd \(socket.descriptor): \(error)")
                }
            }
        } onGracefulShutdown: {
            quiescing.initiateShutdown(promise: nil)
        }
    }
}
