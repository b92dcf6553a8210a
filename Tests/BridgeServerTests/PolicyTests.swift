import Foundation
import Logging
@testable import BridgeServer
import Testing

@Suite struct OriginPolicyTests {
    static let policy = try! OriginPolicy(allowed: ["https://wallet.esw.esante.gouv.fr", "https://auth.esw.esante.gouv.fr:8443"],
                                          pagePINAllowed: ["https://auth.esw.esante.gouv.fr:8443"])

    @Test(arguments: [
        ("https://wallet.esw.esante.gouv.fr", true),
        ("https://auth.esw.esante.gouv.fr:8443", true),
        // Near misses: scheme, port, prefix, suffix, case, trailing slash, path, null.
        ("http://wallet.esw.esante.gouv.fr", false),
        ("https://wallet.esw.esante.gouv.fr:443", false),
        ("https://wallet.esw.esante.gouv.fr:8443", false),
        ("https://auth.esw.esante.gouv.fr", false),
        ("https://evil-wallet.esw.esante.gouv.fr", false),
        ("https://wallet.esw.esante.gouv.fr.evil.com", false),
        ("https://esw.esante.gouv.fr", false),
        ("https://WALLET.esw.esante.gouv.fr", false),
        ("https://wallet.esw.esante.gouv.fr/", false),
        ("https://wallet.esw.esante.gouv.fr/login", false),
        ("null", false),
        ("", false),
    ])
    func onlyExactOriginsAreAllowed(origin: String, allowed: Bool) {
        let decision = Self.policy.decide(origin: origin)
        #expect(decision == (allowed ? .allowed(origin) : .refused(origin)))
    }

    @Test func noOriginIsALocalProgram() {
        #expect(Self.policy.decide(origin: nil) == .localProgram)
    }

    @Test func pagePINIsPerOrigin() {
        #expect(Self.policy.maySendPIN("https://auth.esw.esante.gouv.fr:8443"))
        #expect(!Self.policy.maySendPIN("https://wallet.esw.esante.gouv.fr"))
    }

    @Test(arguments: [
        ("HTTPS://Wallet.Example.FR/", "https://wallet.example.fr"),
        ("https://example.fr:443", "https://example.fr"),
        ("https://example.fr:8443", "https://example.fr:8443"),
        (" https://example.fr ", "https://example.fr"),
    ])
    func configuredOriginsAreCanonicalised(entry: String, canonical: String) throws {
        #expect(try OriginPolicy(allowed: [entry]).allowed == [canonical])
    }

    @Test(arguments: ["http://example.fr", "https://example.fr/path", "https://user@example.fr", "https://*.example.fr",
                      "null", "*", "example.fr", "ftp://example.fr", "https://example.fr:0", "https://example.fr:99999", "https://"])
    func badConfiguredOriginsAreRefusedAtStart(entry: String) {
        #expect(throws: OriginPolicyError.self) { try OriginPolicy(allowed: [entry]) }
    }

    @Test func httpNeedsTheInsecureSetting() throws {
        #expect(throws: OriginPolicyError.insecureOrigin("http://127.0.0.1:8000")) { try OriginPolicy(allowed: ["http://127.0.0.1:8000"]) }
        #expect(try OriginPolicy(allowed: ["http://127.0.0.1:8000"], allowInsecureOrigins: true).allowed == ["http://127.0.0.1:8000"])
    }

    @Test func pagePINOriginsMustBeAllowedOrigins() {
        #expect(throws: OriginPolicyError.pagePINOriginNotAllowed("https://other.fr")) {
            try OriginPolicy(allowed: ["https://example.fr"], pagePINAllowed: ["https://other.fr"])
        }
    }
}

@Suite struct HostPolicyTests {
    @Test(arguments: [
        ("127.0.0.1:24830", true), ("localhost:24830", true), ("LOCALHOST:24830", true), ("[::1]:24830", true),
        ("127.0.0.1", false), ("127.0.0.1:24831", false), ("evil.example:24830", false),
        ("127.0.0.1.nip.io:24830", false), ("0.0.0.0:24830", false), ("", false),
    ])
    func onlyLoopbackNamesWithOurPort(host: String, allowed: Bool) {
        #expect(HostPolicy(port: 24830).allows(host) == allowed)
    }

    @Test func aMissingHostIsRefused() {
        #expect(!HostPolicy(port: 24830).allows(nil))
    }
}

@Suite struct CORSPolicyTests {
    @Test func echoesOnlyAllowedOriginsExactly() {
        let allowed = CORSPolicy.responseHeaders(for: .allowed("https://example.fr"))
        #expect(allowed.contains { $0.name == "Access-Control-Allow-Origin" && $0.value == "https://example.fr" })
        #expect(allowed.contains { $0.name == "Vary" && $0.value == "Origin" })
        for decision in [OriginPolicy.Decision.refused("https://evil.fr"), .refused("null"), .localProgram] {
            let headers = CORSPolicy.responseHeaders(for: decision)
            #expect(!headers.contains { $0.name.hasPrefix("Access-Control") })
        }
        #expect(!allowed.contains { $0.value == "*" || $0.name == "Access-Control-Allow-Credentials" })
    }

    @Test func preflightsOnlyForAllowedOriginsWithPrivateNetworkAccess() throws {
        #expect(CORSPolicy.preflightHeaders(for: .refused("https://evil.fr"), requestHeaders: ["Access-Control-Request-Private-Network": "true"]) == nil)
        let headers = try #require(CORSPolicy.preflightHeaders(for: .allowed("https://example.fr"),
                                                               requestHeaders: ["Access-Control-Request-Private-Network": "true"]))
        #expect(headers.contains { $0.name == "Access-Control-Allow-Private-Network" && $0.value == "true" })
        let plain = try #require(CORSPolicy.preflightHeaders(for: .allowed("https://example.fr"), requestHeaders: [:]))
        #expect(!plain.contains { $0.name == "Access-Control-Allow-Private-Network" })
    }
}

@Suite struct RateLimiterTests {
    @Test func admitsUpToTheLimitPerMinuteAndPerKey() {
        var limiter = RateLimiter(limitPerMinute: 3)
        var admitted = 0
        for second in 0..<3 where limiter.admit("a", now: Double(second)) { admitted += 1 }
        #expect(admitted == 3)
        let fourth = limiter.admit("a", now: 10)
        #expect(!fourth)
        #expect(limiter.retryAfter("a", now: 10) == 50)
        let otherKey = limiter.admit("b", now: 10)
        #expect(otherKey)
        let aMinuteLater = limiter.admit("a", now: 60.5)
        #expect(aMinuteLater)
    }
}

/// Refusals reach the journal once a minute per kind, with the count of the quieter ones.
@Suite struct RefusalLogTests {
    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var entries: [(Logger.Level, String)] = []
    }

    struct Capture: LogHandler {
        let lines: Lines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { nil } set {} }
        func log(event: LogEvent) {
            lines.lock.lock()
            lines.entries.append((event.level, event.message.description))
            lines.lock.unlock()
        }
    }

    @Test func aFloodOfRefusalsIsOneNoticeAMinute() {
        let lines = Lines()
        let log = RefusalLog(logger: Logger(label: "test") { _ in Capture(lines: lines) })
        let start = ContinuousClock.now
        for i in 0..<100 { log.refused("origin https://evil.example is not allowed", now: start + .milliseconds(i)) }
        log.refused("origin https://other.example is not allowed", now: start + .seconds(1))
        log.refused("origin https://evil.example is not allowed", now: start + .seconds(61))
        let notices = lines.entries.filter { $0.0 == .notice }.map(\.1)
        #expect(notices == [
            "refused: origin https://evil.example is not allowed",
            "refused: origin https://other.example is not allowed",
            "refused: origin https://evil.example is not allowed (and 99 more like it in the minute before)",
        ])
        #expect(lines.entries.filter { $0.0 == .debug }.count == 99)
    }
}

@Suite struct ServerTimingTests {
    @Test(arguments: [
        (Duration.zero, "card;dur=0.000"),
        (.microseconds(7), "card;dur=0.007"),
        (.microseconds(6512), "card;dur=6.512"),
        (.nanoseconds(6_512_999), "card;dur=6.512"),
        (.milliseconds(30_000), "card;dur=30000.000"),
    ])
    func theCardTimeIsWrittenInMilliseconds(time: Duration, header: String) {
        #expect(ServerTiming.card(time) == header)
    }
}
