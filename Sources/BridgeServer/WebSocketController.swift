import BridgeProtocol
import CPSCard
import Foundation
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

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.ws("/v1/ws") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let originHeader = context.request.headers[.origin]
            var origin: String?
            if case .allowed(let allowed) = gate.origins.decide(origin: originHeader) { origin = allowed }
            // One writer: every message to the page goes through this stream, in order.
            let (messages, send) = AsyncStream<ServerMessage>.makeStream(bufferingPolicy: .bufferingNewest(512))
            let events = cards.monitor.events()
            let running = RunningRequests()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in messages {
                        try await outbound.write(.text(message.jsonText()))
                    }
                }
                group.addTask {
                    for await event in events {
                        if let message = ServerMessage(event) { send.yield(message) }
                    }
                }
                send.yield(.status(id: nil, readers: ReaderInfo.list(await cards.status())))
                for try await frame in inbound.messages(maxSize: BridgeServer.maxFrameSize) {
                    guard case .text(let text) = frame else {
                        send.yield(.error(id: nil, ErrorPayload(code: .badRequest, detail: "messages are JSON text")))
                        continue
                    }
                    handle(text, origin: origin, send: send, running: running)
                }
                running.cancelAll()
                send.finish()
                group.cancelAll()
            }
        }
    }

    private func handle(_ text: String, origin: String?, send: AsyncStream<ServerMessage>.Continuation,
                        running: RunningRequests) {
        let message: ClientMessage
        do {
            message = try ClientMessage.decode(from: text)
        } catch {
            send.yield(.error(error))
            return
        }
        switch message {
        case .status(let id):
            Task { send.yield(.status(id: id, readers: ReaderInfo.list(await cards.status()))) }
        case .cancel(let id):
            running.cancel(id)
        case .getCertificate(let id, let reader):
            Task {
                switch await cards.certificate(reader: reader) {
                case .success(let credentials):
                    send.yield(.certificate(id: id, CertificateResult(certificate: Data(credentials.certificateDER).base64EncodedString(),
                                                                      holder: HolderSummary(credentials.holder))))
                case .failure(let error):
                    send.yield(.error(id: id, ErrorPayload(error)))
                }
            }
        case .authenticate(let id, let body):
            guard let origin else {
                send.yield(.error(id: id, ErrorPayload(code: .originNotAllowed, detail: "authenticate needs the Origin of an allowed page")))
                return
            }
            guard gate.admitLogin(origin: origin) else {
                send.yield(.error(id: id, ErrorPayload(code: .busy, detail: "too many logins: retry in a minute")))
                return
            }
            let request = body.request(origin: origin, policy: gate.origins)
            let task = Task {
                let result = await cards.authenticate(request)
                switch result {
                case .success(let result): send.yield(.authenticated(id: id, BridgeProtocol.AuthenticationResult(result)))
                case .failure(let error): send.yield(.error(id: id, ErrorPayload(error)))
                }
                running.remove(id)
            }
            running.add(id, task)
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

/// The requests of one WebSocket still under way, by `id`, so that `cancel` can reach them.
final class RunningRequests: Sendable {
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    func add(_ id: String, _ task: Task<Void, Never>) { tasks.withLock { $0[id] = task } }
    func remove(_ id: String) { _ = tasks.withLock { $0.removeValue(forKey: id) } }
    func cancel(_ id: String) { tasks.withLock { $0[id]?.cancel() } }
    func cancelAll() { tasks.withLock { $0.values.forEach { $0.cancel() } } }
}
