import BridgeProtocol
import HTTPTypes
import Hummingbird
import Logging

/// Runs before every route, HTTP and WebSocket upgrade alike: a foreign `Host` or a
/// non-allowed `Origin` is refused with 403 before anything else happens (a WebSocket
/// upgrade never gets its `101`); preflights are answered for allowed origins only; every
/// response to an allowed origin, errors included, carries the exact CORS echo.
struct SecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: RequestGate
    let refusals: RefusalLog
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let decision: OriginPolicy.Decision
        // HTTPTypes makes the first Host the authority and keeps any other as a header field.
        let hosts = (request.head.authority.map { [$0] } ?? []) + request.headers[values: .host]
        switch gate.screen(hosts: hosts, origins: request.headers[values: .origin], fetchSite: request.headers[values: .secFetchSite],
                                localMarker: request.headers[values: .cpsBridge]) {
        case .admitted(let admitted):
            decision = admitted
        case .refused(let payload, let cors, let reason):
            refusals.refused(reason)
            let response = BridgeServer.error(payload)
            return cors.map { with(response, $0) } ?? response
        }
        if request.method == .options {
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            guard let preflight = CORSPolicy.preflightHeaders(for: decision, requestHeaders: headers) else {
                return BridgeServer.error(ErrorPayload(code: .originNotAllowed))
            }
            var response = Response(status: .noContent)
            for header in preflight { response.headers[HTTPField.Name(header.name)!] = header.value }
            return response
        }
        var originKey: String?
        if case .allowed(let origin) = decision { originKey = origin }
        guard gate.admitRequest(origin: originKey) else {
            var response = BridgeServer.error(ErrorPayload(code: .busy, detail: "too many requests: retry later"), status: 429)
            response.headers[.retryAfter] = String(gate.retryAfter(origin: originKey))
            return with(response, decision)
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            // Hummingbird's own refusals (unknown path, wrong method, body too large) keep
            // their status and speak the protocol's error shape.
            let payload = ErrorPayload(code: error.status.code >= 500 ? .internal : .badRequest, detail: error.body ?? error.status.reasonPhrase)
            response = BridgeServer.error(payload, status: error.status.code)
        }
        return with(response, decision)
    }

    private func with(_ response: Response, _ decision: OriginPolicy.Decision) -> Response {
        var response = response
        for header in CORSPolicy.responseHeaders(for: decision) { response.headers[HTTPField.Name(header.name)!] = header.value }
        return response
    }
}
