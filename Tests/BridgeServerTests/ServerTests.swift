import BridgeProtocol
import BridgeServer
import CardTestBed
import CPSCard
import Crypto
import _CryptoExtras
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import X509
import SwiftASN1
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's API through the real chain: the bed's pcscd, `cps-card-sim`, stock OpenSC,
/// the Hummingbird server on a loopback port, a real HTTP and WebSocket client.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct ServerTests {
    static let page = "https://auth.esw.esante.gouv.fr"
    static let other = "https://wallet.esw.esante.gouv.fr"

    /// A running daemon on a free port; stopped when `body` returns.
    static func withDaemon<T>(_ body: (Int) async throws -> T) async throws -> T {
        _ = try CardBed.shared()
        let port = try LoopbackPorts.free()
        let configuration = try ServeConfiguration.resolve(
            commandLine: .init(listen: "127.0.0.1:\(port)", allowOrigins: [page, other], allowPagePIN: [page]), environment: [:], file: nil)
        let cards = CardService(configuration: .init(operationTimeout: .seconds(10)))
        let ready = Mutex(false)
        let app = BridgeServer.application(configuration: configuration, cards: cards, logger: Logger(label: "test")) { _ in
            ready.withLock { $0 = true }
        }
        let group = ServiceGroup(services: [cards, app], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        let outcome: Result<T, any Error>
        do {
            let deadline = ContinuousClock.now + .seconds(10)
            while !ready.withLock({ $0 }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            await cards.monitor.waitUntilSynchronised()
            // Started as systemd's READY=1 means it: the cards present read and the module
            // loaded, so that no start-up card work overlaps what a test does with the card.
            await cards.waitForModule()
            outcome = .success(try await body(port))
        } catch {
            outcome = .failure(error)
        }
        // Stopped as SIGTERM stops serve (a graceful shutdown), and waited for, so that the
        // next test starts with no server of this one left; cancelled if that takes over 5 s.
        await group.triggerGracefulShutdown()
        let watchdog = Task {
            try await Task.sleep(for: .seconds(5))
            running.cancel()
        }
        _ = await running.result
        watchdog.cancel()
        return try outcome.get()
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var json: [String: Any]
    }

    /// One HTTP request with exactly these headers (URLSession adds none that matter here);
    /// without `Origin`, with `X-CPS-Bridge: 1` as a local program sends it, unless
    /// `localProgram` is false.
    static func http(_ port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil,
                     localProgram: Bool = true) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if localProgram && headers["Origin"] == nil { request.setValue("1", forHTTPHeaderField: "X-CPS-Bridge") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
        let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return Reply(status: http.statusCode, headers: fields, json: json)
    }

    static func nonce() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }

    static func errorCode(_ reply: Reply) -> String? { (reply.json["error"] as? [String: Any])?["code"] as? String }

    /// Checks a token's signature over `origin` and `nonce` with its own certificate.
    static func verify(token: [String: Any], origin: String, nonce: String) throws -> Bool {
        #expect(token["format"] as? String == "web-eid:1.0")
        #expect(token["algorithm"] as? String == "RS256")
        let certificate = try Certificate(derEncoded: Array(Data(base64Encoded: try #require(token["unverifiedCertificate"] as? String))!))
        let key = try #require(_RSA.Signing.PublicKey(certificate.publicKey))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: Data(base64Encoded: try #require(token["signature"] as? String))!)
        let signed = Data(SHA256.hash(data: Data(origin.utf8))) + Data(SHA256.hash(data: Data(nonce.utf8)))
        return key.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
    }

    @Test func authenticateOverHTTPReturnsATokenForTheOriginAndNonce() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withDaemon { port in
                let nonce = Self.nonce()
                let clock = ContinuousClock()
                let start = clock.now
                let reply = try await Self.http(port, "POST", "/v1/authenticate",
                                                headers: ["Origin": Self.page, "Content-Type": "application/json"],
                                                body: "{\"nonce\":\"\(nonce)\",\"pin\":\"1234\"}")
                let wall = clock.now - start
                #expect(reply.status == 200, "\(reply.json)")
                // The card's part of the login, in milliseconds: some, and less than the whole.
                let timing = try #require(reply.headers["server-timing"])
                #expect(timing.hasPrefix("card;dur="), "\(timing)")
                let card = try #require(Double(timing.dropFirst("card;dur=".count)), "\(timing)")
                #expect(card > 0 && card < Double(wall.components.seconds) * 1e3 + Double(wall.components.attoseconds) / 1e15, "\(timing), \(wall)")
                #expect(reply.headers["access-control-allow-origin"] == Self.page)
                #expect(reply.headers["vary"]?.contains("Origin") == true)
                let token = try #require(reply.json["token"] as? [String: Any])
                #expect(try Self.verify(token: token, origin: Self.page, nonce: nonce))
                #expect(try !Self.verify(token: token, origin: Self.other, nonce: nonce))
                #expect((reply.json["holder"] as? [String: Any])?["nationalId"] as? String == "899700012345")
            }
        }
    }

    @Test func refusedRequestsNeverTouchTheCard() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withDaemon { port in
                let before = card.apduLog().count
                let body = "{\"nonce\":\"\(Self.nonce())\",\"pin\":\"1234\"}"
                let json = ["Content-Type": "application/json"]
                // Hostile or near-miss origins, on every path.
                for origin in ["https://evil.example", "null", "http://auth.esw.esante.gouv.fr", "https://auth.esw.esante.gouv.fr:8443",
                               "https://auth.esw.esante.gouv.fr.evil.com", "https://esw.esante.gouv.fr", "https://xauth.esw.esante.gouv.fr"] {
                    for (method, path) in [("GET", "/v1/status"), ("POST", "/v1/authenticate"), ("GET", "/nowhere")] {
                        let reply = try await Self.http(port, method, path, headers: json.merging(["Origin": origin]) { a, _ in a }, body: method == "POST" ? body : nil)
                        #expect(reply.status == 403, "\(origin) \(path)")
                        #expect(Self.errorCode(reply) == "originNotAllowed")
                        #expect(reply.headers["access-control-allow-origin"] == nil)
                    }
                }
                // A foreign Host (DNS rebinding).
                let rebound = try await Self.http(port, "GET", "/v1/status", headers: ["Host": "evil.example:\(port)"])
                #expect(rebound.status == 403)
                #expect(Self.errorCode(rebound) == "hostNotAllowed")
                // Form-encoded and text/plain bodies (no preflight in a browser): refused.
                for type in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"] {
                    let reply = try await Self.http(port, "POST", "/v1/authenticate", headers: ["Origin": Self.page, "Content-Type": type], body: body)
                    #expect(reply.status == 415, "\(type)")
                    #expect(reply.headers["access-control-allow-origin"] == Self.page)
                }
                // No Origin: a local program may read the status, never authenticate.
                let local = try await Self.http(port, "POST", "/v1/authenticate", headers: json, body: body)
                #expect(local.status == 403)
                #expect(Self.errorCode(local) == "originNotAllowed")
                // Malformed nonces: badRequest before anything touches the card.
                for nonce in ["", "abc", String(repeating: "A", count: 43), String(repeating: "A", count: 132), "not base64 at all but long enough to pass the length check!!"] {
                    let reply = try await Self.http(port, "POST", "/v1/authenticate", headers: json.merging(["Origin": Self.page]) { a, _ in a },
                                                    body: "{\"nonce\":\"\(nonce)\",\"pin\":\"1234\"}")
                    #expect(reply.status == 400, "\(nonce)")
                    #expect(Self.errorCode(reply) == "badRequest")
                }
                // A page PIN from an allowed origin that may not send one.
                let notAllowed = try await Self.http(port, "POST", "/v1/authenticate", headers: json.merging(["Origin": Self.other]) { a, _ in a }, body: body)
                #expect(notAllowed.status == 403)
                #expect(Self.errorCode(notAllowed) == "pagePinNotAllowed")
                #expect(card.apduLog().count == before, "a refused request reached the card")
                let status = try await Self.http(port, "GET", "/v1/status")
                #expect(status.status == 200)
                #expect(status.headers["access-control-allow-origin"] == nil)
            }
        }
    }

    @Test func preflightsAreAnsweredForAllowedOriginsOnly() async throws {
        try await Self.withDaemon { port in
            let allowed = try await Self.http(port, "OPTIONS", "/v1/authenticate", headers: [
                "Origin": Self.page, "Access-Control-Request-Method": "POST", "Access-Control-Request-Private-Network": "true"])
            #expect(allowed.status == 204)
            #expect(allowed.headers["access-control-allow-origin"] == Self.page)
            #expect(allowed.headers["access-control-allow-private-network"] == "true")
            let refused = try await Self.http(port, "OPTIONS", "/v1/authenticate", headers: [
                "Origin": "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Private-Network": "true"])
            #expect(refused.status == 403)
            #expect(refused.headers["access-control-allow-private-network"] == nil)
        }
    }

    /// A WebSocket session on a thread of its own: connects with `origin`, sends `send`, and
    /// collects texts until `until` is satisfied (or the server closes); `during` runs beside it.
    static func webSocket(_ port: Int, origin: String?, send: [String] = [], until: @escaping @Sendable ([String]) -> Bool,
                          during: @escaping @Sendable () async throws -> Void = {}) async throws -> [String] {
        let side = Task { try await during() }
        defer { side.cancel() }
        return try await Task.detached {
            let socket = try RawWebSocket(port: port, origin: origin)
            guard socket.status == 101 else { throw RawWebSocketError.io("upgrade refused: \(socket.status)") }
            for text in send { try socket.send(text) }
            var texts: [String] = []
            while let text = try socket.receive() {
                texts.append(text)
                if until(texts) { break }
            }
            return texts
        }.value
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func aWebSocketGetsTheStatusThenEvents() async throws {
        try await CardBed.shared().withReaders { readers in
            try await Self.withDaemon { port in
                let reader = readers[0]
                let holder = CardHolder()
                defer { holder.stop() }
                let texts = try await Self.webSocket(port, origin: Self.page, until: { texts in
                    texts.contains { Self.object($0)["event"] as? String == "cardRemoved" }
                }, during: {
                    try await Task.sleep(for: .milliseconds(300))
                    let inserted = try SimulatedCard(reader: reader)
                    holder.set(inserted)
                    try await Task.sleep(for: .milliseconds(500))
                    try inserted.control("remove")
                })
                let messages = texts.map(Self.object)
                #expect(messages.first?["type"] as? String == "status")
                #expect((messages.first?["readers"] as? [Any])?.isEmpty == false)
                let events = messages.filter { $0["type"] as? String == "event" && $0["reader"] as? String == reader.name }
                #expect(events.map { $0["event"] as? String } == ["cardInserted", "cardRemoved"])
                #expect((events.first?["card"] as? [String: Any])?["kind"] as? String == "cps3")
            }
        }
    }

    @Test func authenticateOverWebSocketAnswersByID() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withDaemon { port in
                let nonce = Self.nonce()
                let texts = try await Self.webSocket(port, origin: Self.page, send: [
                    "{\"v\":1,\"type\":\"authenticate\",\"id\":\"7\",\"nonce\":\"\(nonce)\",\"pin\":\"1234\"}",
                    "{\"v\":1,\"type\":\"nonsense\",\"id\":\"8\"}",
                ], until: { texts in texts.contains { Self.object($0)["id"] as? String == "7" } })
                let answer = try #require(texts.map(Self.object).first { $0["id"] as? String == "7" })
                #expect(answer["type"] as? String == "result")
                #expect(try Self.verify(token: try #require(answer["token"] as? [String: Any]), origin: Self.page, nonce: nonce))
                // The unknown request is refused with its own id.
                #expect(texts.contains { $0.contains("\"id\":\"8\"") && $0.contains("\"code\":\"badRequest\"") && $0.contains("\"type\":\"error\"") })
            }
        }
    }

    /// A refused upgrade's answer: 403 with the protocol's error, the CORS rules of any other
    /// refusal (`Vary: Origin`, never an `Access-Control-Allow-Origin`), no upgrade, and the
    /// connection closed after it.
    static func expectRefusedUpgrade(_ socket: RawWebSocket, code: String, vary: Bool = true,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(socket.status == 403, "\(socket.responseHead)", sourceLocation: sourceLocation)
        let headers = socket.responseHeaders
        #expect(headers["content-type"] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
        #expect(headers["access-control-allow-origin"] == nil, sourceLocation: sourceLocation)
        #expect(headers["vary"] == (vary ? "Origin" : nil), sourceLocation: sourceLocation)
        #expect(headers["upgrade"] == nil && headers["sec-websocket-accept"] == nil, sourceLocation: sourceLocation)
        let body = try socket.readToEnd() // ends: the server closed the connection
        let json = Self.object(String(decoding: body, as: UTF8.self))
        #expect((json["error"] as? [String: Any])?["code"] as? String == code, "\(json)", sourceLocation: sourceLocation)
    }

    @Test func aWebSocketUpgradeFromAnotherOriginOrHostIsRefusedBeforeUpgrading() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withDaemon { port in
                try await Self.refuseForeignUpgrades(port: port, card: card)
            }
        }
    }

    /// The refusals of `aWebSocketUpgradeFromAnotherOriginOrHostIsRefusedBeforeUpgrading`, also
    /// run on a socket from systemd.
    static func refuseForeignUpgrades(port: Int, card: SimulatedCard? = nil) async throws {
        let before = card?.apduLog().count
        for origin in ["https://evil.example", "null", "http://auth.esw.esante.gouv.fr", "https://auth.esw.esante.gouv.fr.evil.com"] {
            try Self.expectRefusedUpgrade(try RawWebSocket(port: port, origin: origin), code: "originNotAllowed")
        }
        // Two Origin headers, even one of them allowed.
        try Self.expectRefusedUpgrade(try RawWebSocket(port: port, origin: Self.page, headers: [("Origin", "https://evil.example")]),
                                      code: "originNotAllowed")
        // A foreign Host (DNS rebinding), alone or beside ours: no CORS header, as over HTTP.
        try Self.expectRefusedUpgrade(try RawWebSocket(port: port, origin: Self.page, host: "evil.example:\(port)"),
                                      code: "hostNotAllowed", vary: false)
        try Self.expectRefusedUpgrade(try RawWebSocket(port: port, origin: Self.page, headers: [("Host", "evil.example:\(port)")]),
                                      code: "hostNotAllowed", vary: false)
        // ... and the same two Host headers on plain HTTP.
        let plain = try RawWebSocket(port: port, path: "/v1/status", origin: nil, headers: [("Host", "evil.example:\(port)"), ("Connection", "close")],
                                     upgrade: false)
        #expect(plain.status == 403)
        #expect((Self.object(String(decoding: try plain.readToEnd(), as: UTF8.self))["error"] as? [String: Any])?["code"] as? String == "hostNotAllowed")
        // An upgrade pipelined behind a first request on one connection (no browser sends
        // this) is routed and screened like any request, not redirected unchecked.
        let answers = try Self.pipelined(port: port, [
            "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-CPS-Bridge: 1\r\n\r\n",   // no card call
            "GET //evil.example/x HTTP/1.1\r\nHost: evil.example\r\nOrigin: https://evil.example\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        ])
        #expect(answers.hasPrefix("HTTP/1.1 404"))
        #expect(answers.components(separatedBy: "HTTP/1.1 403").count == 2, "the pipelined upgrade was not refused: \(answers.prefix(600))")
        #expect(!answers.contains("HTTP/1.1 307") && !answers.contains("HTTP/1.1 101"))
        if let card, let before { #expect(card.apduLog().count == before, "a refused upgrade reached the card") }
        // An allowed origin still upgrades.
        let allowed = try RawWebSocket(port: port, origin: Self.page)
        #expect(allowed.status == 101)
        #expect(Self.object(try #require(try allowed.receive()))["type"] as? String == "status")
    }

    /// Sends one status request on `fd` and returns what came back before the timeout or the
    /// close ("" for a connection closed without an answer).
    static func exchange(_ fd: Int32, port: Int) throws -> String {
        let request = Array("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-CPS-Bridge: 1\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? String(decoding: chunk[0..<n], as: UTF8.self) : ""
    }

    /// Writes `requests` in one go on one connection and reads until the server closes it.
    static func pipelined(port: Int, _ requests: [String]) throws -> String {
        guard case .success(let fd) = LoopbackPorts.connect(port, receiveTimeoutSeconds: 10) else { throw TestBedError("connect") }
        defer { close(fd) }
        let bytes = Array(requests.joined().utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw TestBedError("write") }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            received += chunk[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func aPagesRequestWithoutOriginIsNotALocalProgram() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await Self.withDaemon { port in
                let before = card.apduLog().count
                // What an <img> or a no-cors fetch from another site sends: no Origin, but
                // Sec-Fetch-Site says a page asked.
                for site in ["cross-site", "same-site", "same-origin"] {
                    let page = try RawWebSocket(port: port, path: "/v1/status", origin: nil,
                                                headers: [("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", "no-cors"), ("Connection", "close")],
                                                upgrade: false)
                    #expect(page.status == 403, "Sec-Fetch-Site: \(site)")
                    let error = Self.object(String(decoding: try page.readToEnd(), as: UTF8.self))["error"] as? [String: Any]
                    #expect(error?["code"] as? String == "originNotAllowed")
                }
                #expect(card.apduLog().count == before, "a page's request made the daemon read the card")
                // The person typing the address (Sec-Fetch-Site: none) and a program (no
                // Sec-Fetch-*) still read the status.
                for headers in [[("Sec-Fetch-Site", "none")], []] {
                    let local = try RawWebSocket(port: port, path: "/v1/status", origin: nil, headers: headers + [("Connection", "close")], upgrade: false)
                    #expect(local.status == 200)
                }
            }
        }
    }

    @Test func aLocalProgramsWebSocketWatchesButCannotAuthenticate() async throws {
        try await Self.withDaemon { port in
            // A local program (no Origin) may watch the status.
            let local = try RawWebSocket(port: port, origin: nil)
            #expect(local.status == 101)
            #expect(Self.object(try #require(try local.receive()))["type"] as? String == "status")
            // ... but not authenticate.
            try local.send("{\"v\":1,\"type\":\"authenticate\",\"id\":\"1\",\"nonce\":\"\(Self.nonce())\"}")
            var answer: [String: Any] = [:]
            while answer["id"] as? String != "1", let text = try local.receive() { answer = Self.object(text) }
            #expect(answer["code"] as? String == "originNotAllowed")
        }
    }
}

/// The simulated card a test starts from inside a WebSocket session, stopped at the end.
final class CardHolder: Sendable {
    private let card = Mutex<SimulatedCard?>(nil)
    func set(_ value: SimulatedCard) { card.withLock { $0 = value } }
    func stop() { card.withLock { $0?.stop() } }
}
