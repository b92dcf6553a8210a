import BridgeProtocol
import CPSCard
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The local login API: HTTP and WebSocket on loopback, over the card service, behind the
/// security rules of DESIGN.md (Host check, exact origin allow-list, CORS echo, JSON only,
/// bounded sizes and rates). PROTOCOL.md is the reference for every message.
public enum BridgeServer {
    public static let version = "0.1.0"
    /// Largest request body accepted (an authenticate request is a few hundred bytes).
    public static let maxBodySize = 16 * 1024
    /// Largest WebSocket message accepted.
    public static let maxFrameSize = 16 * 1024

    /// The application serving `configuration` over `cards`.
    /// - Parameter onServerRunning: called with the bound port once listening (tests use port 0).
    public static func application(
        configuration: ServeConfiguration,
        cards: CardService,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let gate = RequestGate(configuration: configuration)
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(SecurityMiddleware<BasicRequestContext>(gate: gate, logger: logger))
        HTTPController(cards: cards, gate: gate, logger: logger).addRoutes(to: router)

        let wsRouter = Router(context: BasicWebSocketRequestContext.self)
        wsRouter.middlewares.add(SecurityMiddleware<BasicWebSocketRequestContext>(gate: gate, logger: logger))
        WebSocketController(cards: cards, gate: gate, logger: logger).addRoutes(to: wsRouter)

        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: wsRouter, configuration: .init(maxFrameSize: maxFrameSize)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// A JSON response.
    static func json(_ value: some Encodable, status: Int = 200) -> Response {
        let data = WireJSON.encode(value)
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
    static let accessControlRequestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
    static let accessControlRequestLocalNetwork = HTTPField.Name("Access-Control-Request-Local-Network")!
}
