import BridgeProtocol
import CPSCard
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PINEntry

/// `GET /v1/status` and `POST /v1/authenticate` (PROTOCOL.md).
struct HTTPController: Sendable {
    let cards: CardService
    let gate: RequestGate
    let logger: Logger

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/status") { _, _ in
            BridgeServer.json(StatusBody(readers: ReaderInfo.list(await cards.status())))
        }
        router.post("/v1/authenticate") { request, _ in
            try await authenticate(request)
        }
    }

    private func authenticate(_ request: Request) async throws -> Response {
        // There is nothing to bind the signature to without the browser's Origin.
        guard let origin = request.headers[.origin], case .allowed = gate.origins.decide(origin: origin) else {
            return BridgeServer.error(ErrorPayload(code: .originNotAllowed, detail: "authenticate needs the Origin of an allowed page"))
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            return BridgeServer.error(ErrorPayload(code: .badRequest, detail: "the body must be JSON (Content-Type: application/json)"), status: 415)
        }
        guard gate.admitLogin(origin: origin) else {
            return BridgeServer.error(ErrorPayload(code: .busy, detail: "too many logins: retry in a minute"), status: 429)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: BridgeServer.maxBodySize)
        } catch {
            return BridgeServer.error(ErrorPayload(code: .badRequest, detail: "the body is larger than \(BridgeServer.maxBodySize) bytes"), status: 413)
        }
        let decoded = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(ProtocolError) in try AuthenticateBody.decode(from: bytes) }
        }
        let body: AuthenticateBody
        switch decoded {
        case .success(let decodedBody): body = decodedBody
        case .failure(let error): return BridgeServer.error(ErrorPayload(error))
        }
        let result = await cards.authenticate(body.request(origin: origin, policy: gate.origins))
        switch result {
        case .success(let result):
            var response = BridgeServer.json(bytes: BridgeProtocol.AuthenticationResult(result).jsonBytes())
            response.headers[.serverTiming] = ServerTiming.card(result.cardTime)
            return response
        case .failure(let error):
            return BridgeServer.error(ErrorPayload(error))
        }
    }
}

extension AuthenticateBody {
    /// The card layer's request: the origin from the browser's header, never from the body;
    /// the page's PIN moved at once into a zeroed-on-release buffer.
    func request(origin: String, policy: OriginPolicy) -> AuthenticationRequest {
        AuthenticationRequest(origin: origin, nonce: nonce.text, reader: reader,
                              pin: pin.map { SecretPIN(utf8: $0.revealText()) },
                              pagePINAllowed: policy.maySendPIN(origin), confirmFinalTry: confirmFinalTry)
    }
}

/// The `Server-Timing` header of a login's answer (PROTOCOL.md): how long its calls to the card
/// stack took, in milliseconds. A browser's developer tools show it beside the request's own time, so the
/// part of a slow login that is the card's (PC/SC, the PKCS#11 module, the card) can be told
/// from the rest. Pages' scripts cannot read it: no `Timing-Allow-Origin` is sent.
enum ServerTiming {
    static func card(_ time: Duration) -> String {
        let (seconds, attoseconds) = time.components
        let microseconds = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let fraction = String(microseconds % 1000)
        return "card;dur=\(microseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
