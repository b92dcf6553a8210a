import BridgeProtocol
import CPSAuthVerifier
import CPSDemo
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VerifierTestPKI

/// The demo federator's routes, in process (`.router` test client): nonces bound to the
/// browser's session, verification against the federator's own origin, the identity token.
/// The whole chain (page, daemon, card) runs in the browser tests.
@Suite struct DemoFederatorTests {
    static let origin = "http://127.0.0.1:47001"
    let pki = VerifierTestPKI.shared
    let signer = IdentityTokenSigner()

    /// The demo federator over the test PKI: its CRLs, its smart-card policy, and (on the
    /// demo's http origin) insecure origins allowed.
    func federator(origin: String = Self.origin, configure: (inout VerifierConfiguration) -> Void = { _ in }) throws -> DemoFederator {
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../web").standardized
        var configuration = VerifierConfiguration(
            trustAnchors: [pki.root], intermediates: [pki.issuing],
            crls: try pki.currentCRLs().map { try CertificateRevocationList(derEncoded: $0) },
            certificatePolicies: .anyOf([VerifierTestPKI.personalAuthenticationPolicy]),
            smartCardPolicies: [VerifierTestPKI.personalAuthenticationPolicy],
            allowInsecureOrigins: origin.hasPrefix("http:"))
        configure(&configuration)
        return DemoFederator(origin: try Origin(origin), bridgeURL: "ws://127.0.0.1:47002/v1/ws",
                             assets: try WebAssets(root: web), verifier: CPSAuthVerifier(configuration: configuration),
                             nonceLifetimeSeconds: 300, signer: signer, logger: Logger(label: "test"))
    }

    /// POST /api/nonce: the nonce and the session cookie that names it.
    func issue(_ client: some TestClientProtocol, expectedPrefix: String = "cps_demo_session=") async throws -> (nonce: String, cookie: String) {
        try await client.execute(uri: "/api/nonce", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")) { response in
            #expect(response.status == .ok)
            let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let nonce = try #require(body?["nonce"] as? String)
            let setCookie = try #require(response.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            #expect(setCookie.hasPrefix(expectedPrefix))
            return (nonce, String(setCookie.split(separator: ";")[0]))
        }
    }

    func login(_ client: some TestClientProtocol, token: AuthenticationToken, cookie: String?) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let cookie { headers[.cookie] = cookie }
        let body = try JSONEncoder().encode(["token": token])
        return try await client.execute(uri: "/api/login", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
            return (response.status, json)
        }
    }

    static func errorCode(_ json: [String: Any]) -> String? {
        (json["error"] as? [String: Any])?["code"] as? String
    }

    @Test func aLoginWithTheSessionsNonceGivesTheIdentityAndASignedIdentityToken() async throws {
        let app = try federator().application(port: 0)
        try await app.test(.router) { client in
            let (nonce, cookie) = try await issue(client)
            let (status, json) = try await login(client, token: try pki.token(origin: Self.origin, nonce: nonce), cookie: cookie)
            #expect(status == .ok)
            let identity = try #require(json["identity"] as? [String: Any])
            #expect(identity["SubjectNameID"] as? String == "899700012345")
            #expect(identity["family_name"] as? String == "TEST-CPS")
            let jwt = try #require(json["idToken"] as? String)
            #expect(signer.verify(jwt))
            let claims = try #require(json["idTokenClaims"] as? [String: Any])
            #expect(claims["sub"] as? String == "899700012345")
            #expect(claims["iss"] as? String == Self.origin)
            // amr: what the verifier proved (a key under a smart-card policy), not a constant.
            #expect(claims["amr"] as? [String] == ["hwk", "mfa", "pin", "pop", "sc"])
            let verification = try #require(json["verification"] as? [String: String])
            #expect(verification["revocation"]?.contains("not revoked") == true)
            // A tampered payload no longer verifies.
            var parts = jwt.split(separator: ".").map(String.init)
            parts[1] = String(parts[1].reversed())
            #expect(!signer.verify(parts.joined(separator: ".")))
        }
    }

    @Test func theAmrClaimFollowsTheVerifiedPolicy() async throws {
        // Policies not checked: the verifier proved possession of the key, nothing more.
        let app = try federator { $0.certificatePolicies = .notChecked }.application(port: 0)
        try await app.test(.router) { client in
            let (nonce, cookie) = try await issue(client)
            let (status, json) = try await login(client, token: try pki.token(origin: Self.origin, nonce: nonce), cookie: cookie)
            #expect(status == .ok)
            let claims = try #require(json["idTokenClaims"] as? [String: Any])
            #expect(claims["amr"] as? [String] == ["pop"])
        }
    }

    @Test func onHTTPSTheSessionCookieIsHostPrefixedAndSecure() async throws {
        let origin = "https://auth.example.test"
        let app = try federator(origin: origin).application(port: 0)
        try await app.test(.router) { client in
            let setCookie = try await client.execute(uri: "/api/nonce", method: .post, headers: [.contentType: "application/json"],
                                                     body: ByteBuffer(string: "{}")) { response in
                try #require(response.headers[.setCookie])
            }
            #expect(setCookie.hasPrefix("__Host-cps_demo_session="))
            #expect(setCookie.contains("; Secure;") && setCookie.contains("Path=/;") && !setCookie.contains("Domain"))
            // The login finds the session under the prefixed name, and only under it.
            let good = try await issue(client, expectedPrefix: "__Host-cps_demo_session=")
            #expect(try await login(client, token: try pki.token(origin: origin, nonce: good.nonce), cookie: good.cookie).0 == .ok)
            let other = try await issue(client, expectedPrefix: "__Host-cps_demo_session=")
            let unprefixed = String(other.cookie.dropFirst("__Host-".count))
            let (status, json) = try await login(client, token: try pki.token(origin: origin, nonce: other.nonce), cookie: unprefixed)
            #expect(status == .unauthorized)
            #expect(Self.errorCode(json) == "nonceUnknown")
        }
    }

    @Test func aLoginWithoutTheSessionCookieIsRefused() async throws {
        let app = try federator().application(port: 0)
        try await app.test(.router) { client in
            let (nonce, _) = try await issue(client)
            let (status, json) = try await login(client, token: try pki.token(origin: Self.origin, nonce: nonce), cookie: nil)
            #expect(status == .unauthorized)
            #expect(Self.errorCode(json) == "nonceUnknown")
        }
    }

    @Test func aSessionServesOneLoginOnly() async throws {
        let app = try federator().application(port: 0)
        try await app.test(.router) { client in
            let (nonce, cookie) = try await issue(client)
            let token = try pki.token(origin: Self.origin, nonce: nonce)
            #expect(try await login(client, token: token, cookie: cookie).0 == .ok)
            let (status, json) = try await login(client, token: token, cookie: cookie)
            #expect(status == .unauthorized)
            #expect(Self.errorCode(json) == "nonceUnknown")
        }
    }

    @Test func aTokenSignedForAnotherOriginIsRefused() async throws {
        let app = try federator().application(port: 0)
        try await app.test(.router) { client in
            let (nonce, cookie) = try await issue(client)
            let (status, json) = try await login(client, token: try pki.token(origin: "https://evil.example", nonce: nonce), cookie: cookie)
            #expect(status == .unauthorized)
            #expect(Self.errorCode(json) == "invalidSignature")
        }
    }

    @Test func anotherSiteCannotAskForNoncesOrLogIn() async throws {
        let app = try federator().application(port: 0)
        try await app.test(.router) { client in
            // A form or a no-cors fetch from another site: not JSON, or marked cross-site.
            let attempts: [HTTPFields] = [
                [.contentType: "text/plain"],
                [.contentType: "application/json", HTTPField.Name("Sec-Fetch-Site")!: "cross-site"],
                [.contentType: "application/json", HTTPField.Name("Sec-Fetch-Site")!: "same-site"],
            ]
            for headers in attempts {
                for uri in ["/api/nonce", "/api/login"] {
                    try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "{}")) { response in
                        #expect(response.status == .forbidden, "\(uri) \(headers)")
                    }
                }
            }
        }
    }

    @Test func thePageMayTalkToItselfAndToTheDaemonOnly() async throws {
        let app = try federator().application(port: 0)
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let csp = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(csp.contains("connect-src 'self' ws://127.0.0.1:47002 http://127.0.0.1:47002;"))
                #expect(String(buffer: response.body).contains("Se connecter avec ma carte CPS"))
            }
            try await client.execute(uri: "/cps-bridge.js", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
            }
            try await client.execute(uri: "/api/config", method: .get) { response in
                #expect(String(buffer: response.body).contains("ws://127.0.0.1:47002/v1/ws"))
            }
        }
    }
}
