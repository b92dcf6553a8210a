import BridgeProtocol
import CPSAuthVerifier
import CPSIdentity
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import X509

/// A small federator for the demo: it serves the login page, issues nonces, verifies the
/// daemon's tokens with `CPSAuthVerifier` and answers with the holder's identity and an
/// identity token, as Pro Santé Connect would after a card login.
///
/// Routes: `GET /` (the page), `/demo.js`, `/demo.css`, `/cps-bridge.js`; `GET /api/config`
/// → `{"bridgeURL","origin","pinPad"}`; `POST /api/nonce` → `{"nonce","expiresInSeconds"}`; `POST /api/login`
/// with `{"nonce","token"}` → `{"identity","verification","idToken","idTokenClaims"}` or
/// `{"error":{"code","message":{"fr","en"}}}`; `GET /.well-known/jwks.json`. The nonce a
/// login is checked against is the one issued to the same browser (an HttpOnly, SameSite
/// cookie names it), never one taken from the request. On an `https` origin that cookie is
/// `__Host-cps_demo_session` with `Secure` and `Path=/`; the demo's own `http://127.0.0.1`
/// keeps `cps_demo_session` (a browser drops a `Secure` cookie set over http).
public struct DemoFederator: Sendable {
    /// The federator's own origin: what tokens must be signed for.
    public let origin: Origin
    /// The daemon's WebSocket URL, handed to the page.
    public let bridgeURL: String
    public let assets: WebAssets
    public let verifier: CPSAuthVerifier
    public let signer: IdentityTokenSigner
    public let nonceLifetimeSeconds: Int
    /// The demo's reader has a PIN pad: the page asks for no PIN and says to type it there.
    public let pinPad: Bool
    /// Which nonce each browser was given. Nodes of one demo cluster share it (DemoCluster),
    /// as a real cluster's nodes share their session store.
    let sessions: NonceSessions
    let logger: Logger

    public init(origin: Origin, bridgeURL: String, assets: WebAssets, verifier: CPSAuthVerifier,
                nonceLifetimeSeconds: Int, pinPad: Bool = false, signer: IdentityTokenSigner = IdentityTokenSigner(),
                sessions: NonceSessions = NonceSessions(), logger: Logger) {
        self.sessions = sessions
        self.pinPad = pinPad
        self.origin = origin
        self.bridgeURL = bridgeURL
        self.assets = assets
        self.verifier = verifier
        self.signer = signer
        self.nonceLifetimeSeconds = nonceLifetimeSeconds
        self.logger = logger
    }

    /// The federator's Hummingbird application on 127.0.0.1:`port`.
    /// - Parameter loginNode: another node that verifies the logins posted here (the demo
    ///   cluster: challenges from this node, verification by the other); default this one.
    public func application(port: Int, loginNode: DemoFederator? = nil,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        for path in WebAssets.files.keys {
            router.get(RouterPath(path)) { _, _ in
                guard let file = assets.file(for: path) else { return Self.json(["error": ["code": "notFound"]], status: 404) }
                return response(file.data, type: file.type)
            }
        }
        router.get("/api/config") { _, _ in
            Self.json(["bridgeURL": bridgeURL, "origin": origin.serialization, "pinPad": pinPad])
        }
        router.get("/.well-known/jwks.json") { _, _ in
            Self.json(signer.jwks)
        }
        router.post("/api/nonce") { request, _ in
            if let refusal = Self.refuseCrossSite(request) { return refusal }
            do {
                let nonce = try await verifier.issueNonce()
                // The nonce is bound to this browser: login takes it from the session, never
                // from the request (a token made for another session's nonce cannot be used).
                let session = await sessions.open(nonce: nonce)
                var response = Self.json(["nonce": nonce, "expiresInSeconds": nonceLifetimeSeconds])
                response.headers[.setCookie] = Self.sessionCookie(session, origin: origin, maxAge: nonceLifetimeSeconds)
                return response
            } catch {
                logger.error("nonce: \(error)")
                return Self.failure(code: "internal", fr: "Le serveur n'a pas pu créer de défi.", en: "The server could not issue a challenge.", status: 500)
            }
        }
        router.post("/api/login") { request, _ in
            if let refusal = Self.refuseCrossSite(request) { return refusal }
            return await (loginNode ?? self).login(request)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    struct LoginBody: Decodable {
        let token: AuthenticationToken
    }

    func login(_ request: Request) async -> Response {
        guard let session = NonceSessions.session(in: request.headers[.cookie], named: NonceSessions.sessionCookieName(for: origin)),
              let nonce = await sessions.take(session) else {
            return Self.failure(code: "nonceUnknown", fr: "Aucun défi en cours pour ce navigateur : recommencez la connexion.",
                                en: "No challenge is pending for this browser: start the login again.", status: 401)
        }
        guard let buffer = try? await request.body.collect(upTo: 64 * 1024),
              let body = try? JSONDecoder().decode(LoginBody.self, from: Data(buffer.readableBytesView)) else {
            return Self.failure(code: "badRequest", fr: "La requête doit contenir le jeton.",
                                en: "The request must carry the token.", status: 400)
        }
        let verified: VerifiedAuthentication
        do {
            verified = try await verifier.verify(token: body.token, origin: origin.serialization, nonce: nonce)
        } catch {
            logger.notice("login refused: \(error.code): \(error)")
            return Self.failure(code: error.code, fr: error.message.fr, en: error.message.en, status: 401)
        }
        let claims = Self.jsonObject(verified.claims)
        let now = Int(Date().timeIntervalSince1970)
        var tokenClaims: [String: Any] = [
            "iss": origin.serialization, "aud": "cps-bridge-demo", "sub": verified.identity.nationalId.value,
            "iat": now, "exp": now + 600, "auth_time": now,
            "amr": verified.authenticationMethods,  // RFC 8176, from what was verified (CPSAuthVerifier)
        ]
        for (key, value) in claims where tokenClaims[key] == nil { tokenClaims[key] = value }
        let idToken: String
        do {
            idToken = try signer.sign(claims: tokenClaims)
        } catch {
            return Self.failure(code: "internal", fr: "Le jeton d'identité n'a pas pu être signé.", en: "The identity token could not be signed.", status: 500)
        }
        logger.info("login accepted for \(verified.identity.nationalId.value)")
        return Self.json([
            "identity": claims,
            "verification": verification(verified, token: body.token),
            "idToken": idToken,
            "idTokenClaims": tokenClaims,
        ])
    }

    /// What was checked, in words, for the page.
    private func verification(_ verified: VerifiedAuthentication, token: AuthenticationToken) -> [String: String] {
        let identity = verified.identity
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return [
            "signature": "\(token.algorithm) sur SHA-256(origine) || SHA-256(défi) : valide / valid",
            "origin": origin.serialization,
            "format": token.format,
            "certificate": identity.subject,
            "issuer": identity.issuer,
            "validity": "\(formatter.string(from: identity.notBefore)) → \(formatter.string(from: identity.notAfter))",
            "chain": verified.chain.map { $0.subject.readable }.joined(separator: " ← "),
            "revocation": verified.revocationNotCheckedFor.isEmpty
                ? "LCR valide de chaque AC de la chaîne : non révoqué / a valid CRL of every CA in the chain: not revoked"
                : "non vérifiée pour / not checked for: " + verified.revocationNotCheckedFor.map(\.readable).joined(separator: ", "),
            "policy": verified.policy.map { "\($0)" }
                ?? "non vérifiée (la carte simulée n'a pas de politique) / not checked (the simulated card carries no policy)",
            "amr": verified.authenticationMethods.joined(separator: " "),
            "appVersion": token.appVersion,
        ]
    }

    /// The session cookie: `__Host-` and `Secure` on an https origin, as is on the demo's http.
    static func sessionCookie(_ session: String, origin: Origin, maxAge: Int) -> String {
        let name = NonceSessions.sessionCookieName(for: origin)
        return origin.scheme == .https
            ? "\(name)=\(session); Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
            : "\(name)=\(session); Path=/api; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
    }

    /// `value` as a JSON object (for merging into the identity token's claims).
    static func jsonObject(_ value: some Encodable) -> [String: Any] {
        guard let data = try? JSONEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    /// The API's POSTs come from the demo page only: JSON (another site's form or no-cors
    /// fetch cannot send that without a preflight, which gets no CORS answer here), and not
    /// marked cross-site or same-site by the browser. Stops other pages from flooding the
    /// nonce sessions.
    static func refuseCrossSite(_ request: Request) -> Response? {
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased()
        guard json, site == nil || site == "same-origin" || site == "none" else {
            return failure(code: "forbidden", fr: "Cette requête doit venir de la page de connexion.",
                           en: "This request must come from the login page.", status: 403)
        }
        return nil
    }

    static func failure(code: String, fr: String, en: String, status: Int) -> Response {
        json(["error": ["code": code, "message": ["fr": fr, "en": en]]], status: status)
    }

    static func json(_ object: Any, status: Int = 200) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        var response = Self.response(data, type: "application/json; charset=utf-8")
        response.status = .init(code: status)
        return response
    }

    static func response(_ data: Data, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func response(_ data: Data, type: String) -> Response {
        var response = Self.response(data, type: type)
        if type.hasPrefix("text/html") {
            // The page may talk to itself and to the daemon, nothing else.
            let bridgeHTTP = bridgeURL.replacingOccurrences(of: "ws://", with: "http://").replacingOccurrences(of: "/v1/ws", with: "")
            let bridgeWS = bridgeURL.replacingOccurrences(of: "/v1/ws", with: "")
            response.headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'self'; connect-src 'self' \(bridgeWS) \(bridgeHTTP); img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        }
        return response
    }
}

/// Which nonce each browser was given: the session cookie's value maps to one pending nonce,
/// taken (once) by the login. Bounded: the oldest sessions go first.
public actor NonceSessions {
    static let cookieName = "cps_demo_session"

    /// `__Host-cps_demo_session` on https (the browser then requires `Secure`, `Path=/` and
    /// no `Domain`), `cps_demo_session` on http.
    static func sessionCookieName(for origin: Origin) -> String {
        origin.scheme == .https ? "__Host-" + cookieName : cookieName
    }
    static let capacity = 10_000
    private var nonces: [String: String] = [:]
    private var order: [String] = []

    public init() {}

    /// A new session holding `nonce`; returns its identifier (128 random bits, hex).
    func open(nonce: String) -> String {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        nonces[id] = nonce
        order.append(id)
        if order.count > Self.capacity {
            let dropped = order.prefix(order.count - Self.capacity)
            dropped.forEach { nonces[$0] = nil }
            order.removeFirst(dropped.count)
        }
        return id
    }

    /// The session's nonce, removed: a nonce serves one login attempt.
    func take(_ id: String) -> String? {
        nonces.removeValue(forKey: id)
    }

    /// The session identifier in a `Cookie` header.
    static func session(in header: String?, named name: String = cookieName) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name { return String(pair[1]) }
        }
        return nil
    }
}
