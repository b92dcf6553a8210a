import BridgeProtocol
import CPSCard
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import Synchronization

/// `/v1/ws`: the status on connect, reader and card events as they happen, and the same
/// operations as HTTP, answered by `id` (PROTOCOL.md).
struct WebSocketController: Sendable {
    let cards: CardService
    let gate: RequestGate
    let logger: Logger

    func addRoutes(to router: Router<BridgeWebSocketContext>) {
        router.ws("/v1/ws") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            // Already on the connection's event loop, as the whole connection is (ConnectionExecutor).
            try await serve(inbound: inbound, outbound: outbound, context: context)
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                       context: WebSocketRouterContext<BridgeWebSocketContext>) async throws {
        let originHeader = context.request.headers[.origin]
        var origin: String?
        if case .allowed(let allowed) = gate.origins.decide(origin: originHeader) { origin = allowed }
        let outbox = Outbox()
        let events = cards.monitor.events()
        let running = RunningRequests()
        // Everything the connection starts is a child of this group: when the page goes,
        // its requests are cancelled and waited for (a login resets the card), its event
        // feed and writer end.
        await withDiscardingTaskGroup { group in
            // One writer: every message to the page goes through the outbox, in order.
            group.addTask {
                for await message in outbox.messages {
                    do {
                        try await outbound.write(.text(message.jsonText()))
                    } catch {
                        break
                    }
                    outbox.delivered()
                }
                outbox.close()
            }
            group.addTask {
                for await event in events {
                    if let message = ServerMessage(event) { outbox.post(message) }
                }
            }
            outbox.post(.status(id: nil, readers: ReaderInfo.list(await cards.status())))
            do {
                for try await frame in inbound.messages(maxSize: BridgeServer.maxFrameSize) {
                    // A client that sends without reading its answers waits here.
                    await outbox.roomAvailable()
                    guard case .text(let text) = frame else {
                        outbox.post(.error(id: nil, ErrorPayload(code: .badRequest, detail: "messages are JSON text")))
                        continue
                    }
                    handle(text, origin: origin, outbox: outbox, running: running, group: &group)
                }
            } catch {
                logger.debug("WebSocket closed: \(type(of: error))")
            }
            group.cancelAll()
            outbox.close()
        }
    }

    private func handle(_ text: String, origin: String?, outbox: Outbox, running: RunningRequests, group: inout DiscardingTaskGroup) {
        let message: ClientMessage
        do {
            message = try ClientMessage.decode(from: text)
        } catch {
            outbox.post(.error(error))
            return
        }
        switch message {
        case .status(let id):
            // Known without the card (the usual case): answered here, with no task of its own.
            if let known = cards.knownStatus() {
                outbox.post(.status(id: id, readers: ReaderInfo.list(known)))
                return
            }
            // Not known: read it (without trying `knownStatus()` a second time).
            start(id, outbox: outbox, running: running, group: &group) {
                .status(id: id, readers: ReaderInfo.list(await cards.readStatus()))
            }
        case .cancel(let id):
            running.cancel(id)
        case .getCertificate(let id, let reader):
            start(id, outbox: outbox, running: running, group: &group) {
                switch await cards.certificate(reader: reader) {
                case .success(let credentials):
                    .certificate(id: id, CertificateResult(certificate: Data(credentials.certificateDER).base64EncodedString(),
                                                           holder: HolderSummary(credentials.holder)))
                case .failure(let error):
                    .error(id: id, ErrorPayload(error))
                }
            }
        case .authenticate(let id, let body):
            guard let origin else {
                outbox.post(.error(id: id, ErrorPayload(code: .originNotAllowed, detail: "authenticate needs the Origin of an allowed page")))
                return
            }
            guard gate.admitLogin(origin: origin) else {
                outbox.post(.error(id: id, ErrorPayload(code: .busy, detail: "too many logins: retry in a minute")))
                return
            }
            let request = body.request(origin: origin, policy: gate.origins)
            start(id, outbox: outbox, running: running, group: &group) {
                switch await cards.authenticate(request) {
                case .success(let result): .authenticated(id: id, BridgeProtocol.AuthenticationResult(result))
                case .failure(let error): .error(id: id, ErrorPayload(error))
                }
            }
        }
    }

    /// Runs request `id` as a child of the connection, answered through the outbox; refused
    /// at once when its `id` is already under way or the connection has too many requests.
    private func start(_ id: String, outbox: Outbox, running: RunningRequests, group: inout DiscardingTaskGroup,
                       _ operation: @escaping @Sendable () async -> ServerMessage) {
        switch running.reserve(id) {
        case .duplicate:
            outbox.post(.error(id: id, ErrorPayload(code: .badRequest, detail: "a request with this id is still under way")))
            return
        case .full:
            outbox.post(.error(id: id, ErrorPayload(code: .busy, detail: "at most \(RunningRequests.limit) requests at once on one connection")))
            return
        case .reserved:
            break
        }
        group.addTask {
            // An inner task, so that `cancel` can reach this request alone; cancelling the
            // connection's group cancels it too.
            let task = Task { outbox.post(await operation()) }
            running.attach(id, task)
            await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
            running.finish(id)
        }
    }
}

extension ServerMessage {
    /// The wire event for a monitor event; pcscd's own comings and goings are not pushed
    /// (the readers then disappear and come back as events).
    init?(_ event: CPSCard.ReaderEvent) {
        switch event {
        case .readerAdded(let reader): self = .event(.init(.readerAdded, reader: reader))
        case .readerRemoved(let reader): self = .event(.init(.readerRemoved, reader: reader))
        case .cardInserted(let reader, let card):
            self = .event(.init(.cardInserted, reader: reader, card: CardInfo(kind: .init(rawValue: card.kind.rawValue), pin: nil, holder: nil)))
        case .cardRemoved(let reader): self = .event(.init(.cardRemoved, reader: reader))
        case .serviceLost, .serviceRestored: return nil
        }
    }
}
