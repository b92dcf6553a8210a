import BridgeProtocol
import NIOCore

/// A connection refused before it is served: the answer is written at once, whatever the
/// client sends (nothing it sends is parsed or reaches a route), then the connection is
/// closed. Used for another account's connection (`403 otherUser`), for one over the
/// connection limit (`503 busy`, `Retry-After`), and by the dispatcher for an account with no
/// daemon (`503 bridgeNotRunning`).
///
/// The answer goes out as soon as the connection is up; the output side is then shut
/// (half-close), and what the client still sends is read and dropped until it closes its side,
/// at most `linger`: closing with unread bytes would reset the connection and could destroy
/// the answer before the client reads it.
public final class CannedAnswer: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer

    private let bytes: [UInt8]
    private let linger: TimeAmount
    private var sent = false

    /// - Parameters:
    ///   - payload: the protocol's error.
    ///   - status: the HTTP status (the code's own by default).
    ///   - retryAfter: seconds, for a `Retry-After` header.
    public init(_ payload: ErrorPayload, status: Int? = nil, retryAfter: Int? = nil, linger: TimeAmount = .seconds(2)) {
        self.bytes = Self.response(payload, status: status ?? payload.code.httpStatus, retryAfter: retryAfter)
        self.linger = linger
    }

    /// The whole HTTP/1.1 response (`CannedResponse`).
    static func response(_ payload: ErrorPayload, status: Int, retryAfter: Int?) -> [UInt8] {
        CannedResponse.bytes(payload, status: status, retryAfter: retryAfter)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Dropped: nothing a refused client sends is looked at.
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func send(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(mode: .output, promise: nil) }
        let linger = linger
        context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
}
