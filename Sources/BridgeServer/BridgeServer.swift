import BridgeProtocol
import CPSCard
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The local login API: HTTP and WebSocket on loopback, over the card service, behind the
/// security rules of docs/ARCHITECTURE.md and docs/PROTOCOL.md (Host check, exact origin allow-list, CORS echo, JSON only,
/// bounded sizes and rates). PROTOCOL.md is the reference for every message.
public enum BridgeServer {
    public static let version = "0.1.0"
    /// Largest request body accepted (an authenticate request is a few hundred bytes).
    public static let maxBodySize = 16 * 1024
    /// Largest WebSocket message accepted.
    public static let maxFrameSize = 16 * 1024
    /// How long the daemon waits for a client's close frame after its own (the WebSocket close
    /// handshake) before it closes the socket.
    public static let webSocketCloseTimeout = Duration.seconds(1)
    /// How long a kept-alive HTTP connection may sit idle between requests before it is closed.
    public static let idleTimeout = TimeAmount.seconds(15)

    /// The service serving `configuration` over `cards`: on `socket` when given (systemd socket
    /// activation; its address then replaces the configured one), else on the configured address.
    ///
    /// Assembled from Hummingbird's parts rather than its `Application`, which can only bind an
    /// address and whose upgrade channel answers a refused WebSocket upgrade 400: the routers,
    /// our `BridgeServerChannel` (that upgrade channel plus the `UpgradeScreen`), and
    /// Hummingbird's `Server` or our `InheritedSocketServer` to accept connections.
    /// With `configuration.dispatcher`, it binds nothing and serves what the dispatcher hands
    /// over (`DispatchedSocketServer`, which logs its registrations).
    /// - Parameters:
    ///   - onServerRunning: called with the port once listening (not behind a dispatcher).
    ///   - onRegistered: behind a dispatcher, called with its public addresses after each
    ///     registration (the daemon is then reachable, as it is once listening otherwise).
    public static func application(
        configuration: ServeConfiguration,
        socket: InheritedSocket? = nil,
        cards: CardService,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onRegistered: @escaping @Sendable ([String]) async -> Void = { _ in }
    ) -> any Service {
        var configuration = configuration
        if let socket {
            configuration.host = socket.host
            configuration.port = socket.port
        }
        let gate = RequestGate(configuration: configuration)
        let refusals = RefusalLog(logger: logger)
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(SecurityMiddleware<BasicRequestContext>(gate: gate, refusals: refusals, logger: logger))
        HTTPController(cards: cards, gate: gate, logger: logger).addRoutes(to: router)

        let wsRouter = Router(context: BridgeWebSocketContext.self)
        wsRouter.middlewares.add(SecurityMiddleware<BridgeWebSocketContext>(gate: gate, refusals: refusals, logger: logger))
        WebSocketController(cards: cards, gate: gate, logger: logger).addRoutes(to: wsRouter)

        let channel = BridgeServerChannel(
            upgradeChannel: HTTP1WebSocketUpgradeChannel(
                responder: httpResponder(router.buildResponder(), logger: logger),
                webSocketResponder: wsRouter.buildResponder(),
                configuration: .init(
                    // The idle timeout is UpgradeScreen's (off the event loop: a cancelled NIO
                    // timer still wakes its loop once).
                    http1: .init(idleTimeout: nil),
                    // No pings: on loopback a peer that goes away closes its socket at once (the
                    // kernel does it for a process that dies), and a browser answers pings in its
                    // network stack even when the page hangs, so a ping tells the daemon nothing.
                    // It would cost a wake-up per client every 30 s, and leave a 30 s timer behind
                    // each closed connection (a cancelled `Task.sleep` still fires).
                    // The close handshake waits `closeTimeout` for the client's close frame in a
                    // `Task.sleep`, cancelled as soon as the connection ends, which on an event
                    // loop still wakes it once at the sleep's deadline: 15 s (the default) put that
                    // wake-up in the middle of an idle daemon's quiet time after each closed
                    // WebSocket. On loopback a client answers a close at once; 1 s keeps the stale
                    // wake-up next to the close itself.
                    ws: .init(maxFrameSize: maxFrameSize, autoPing: .disabled, closeTimeout: webSocketCloseTimeout)
                )
            ),
            gate: gate,
            peers: PeerPolicy(owner: configuration.servedUID),
            connections: ConnectionTable(),
            refusals: refusals
        )
        let port = configuration.port
        let running: @Sendable (any Channel) async -> Void = { await onServerRunning($0.localAddress?.port ?? port) }
        if let dispatcher = configuration.dispatcher {
            return DispatchedSocketServer(registryPath: dispatcher, childChannel: channel, hosts: gate.hosts,
                                          onRegistered: { addresses in Task { await onRegistered(addresses) } }, logger: logger)
        }
        if let socket {
            return InheritedSocketServer(socket: socket, childChannel: channel, onServerRunning: running, logger: logger)
        }
        return channel.server(configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
                              onServerRunning: running, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }

    /// The HTTP side of a connection, as Hummingbird's `Application.run()` builds it: the
    /// router's answer, a 500 for an error the routes did not render, a `Date` header.
    static func httpResponder(_ responder: some HTTPResponder<BasicRequestContext>, logger: Logger) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error // Hummingbird answers 400 and closes the connection.
            } catch {
                logger.debug("unrendered error: \(type(of: error))")
                response = Self.error(ErrorPayload(code: .internal), status: 500)
            }
            response.headers[.date] = HTTPDate.now
            try await writer.write(response: response.head, body: response.body)
        }
    }

    /// A JSON response.
    static func json(_ value: some Encodable, status: Int = 200) -> Response {
        json(bytes: WireJSON.encode(value), status: status)
    }

    /// A JSON response from bytes already written (`JSONWriter`: a login's answer).
    static func json(bytes data: some Sequence<UInt8>, status: Int = 200) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The HTTP error answer for `payload`.
    static func error(_ payload: ErrorPayload, status: Int? = nil) -> Response {
        json(ErrorBody(payload), status: status ?? payload.code.httpStatus)
    }
}

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let cpsBridge = HTTPField.Name(RequestGate.localProgramHeader)!
    static let host = HTTPField.Name("Host")!
    static let serverTiming = HTTPField.Name("Server-Timing")!
    static let accessControlRequestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
    static let accessControlRequestLocalNetwork = HTTPField.Name("Access-Control-Request-Local-Network")!
}
