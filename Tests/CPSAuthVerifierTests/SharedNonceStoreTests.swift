import BridgeProtocol
import CPSAuthVerifier
import CPSNonceStorePostgres
import Foundation
import PostgresNIO
import Testing
import VerifierTestPKI

/// Two verifier nodes sharing one real PostgreSQL (scripts/with-postgres.sh starts a private
/// server for `make test`): single use across nodes, expiry, purge, and an outage.
@Suite("Shared nonce store on PostgreSQL", .serialized,
       .enabled(if: SharedStore.enabled, "needs PostgreSQL: run under scripts/with-postgres.sh"),
       .timeLimit(.minutes(5)))
struct SharedNonceStoreTests {
    let pki = Support.pki
    let origin = Support.origin

    /// How each presentation ended: "accepted", or the refusal's code.
    static func outcome(_ verifier: CPSAuthVerifier, _ token: AuthenticationToken, nonce: String) async -> String {
        do {
            _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)
            return "accepted"
        } catch {
            return error.code
        }
    }

    @Test("one token presented 1,000 times at once, half on node A, half on node B: exactly one accepted")
    func oneTokenThousandPresentations() async throws {
        let outcomes = try await SharedStore.withNodes { a, b in
            let nonce = try await a.issueNonce()
            let token = try pki.token(origin: origin, nonce: nonce)
            return await withTaskGroup(of: String.self) { group in
                for i in 0..<1000 {
                    group.addTask { await Self.outcome(i.isMultiple(of: 2) ? a : b, token, nonce: nonce) }
                }
                var counts: [String: Int] = [:]
                for await outcome in group { counts[outcome, default: 0] += 1 }
                return counts
            }
        }
        #expect(outcomes == ["accepted": 1, "nonceUnknown": 999])
    }

    @Test("1,000 replay races, each token presented on A and on B at once: each accepted exactly once, 0 double accepts")
    func thousandRaces() async throws {
        let counts = try await SharedStore.withNodes { a, b in
            var tokens: [(String, AuthenticationToken)] = []
            for i in 0..<1000 {
                let nonce = try await (i.isMultiple(of: 2) ? a : b).issueNonce()
                tokens.append((nonce, try pki.token(origin: origin, nonce: nonce)))
            }
            let races = tokens
            return await withTaskGroup(of: [String].self) { group in
                for (nonce, token) in races {
                    group.addTask {
                        async let onA = Self.outcome(a, token, nonce: nonce)
                        async let onB = Self.outcome(b, token, nonce: nonce)
                        return await [onA, onB].sorted()
                    }
                }
                var counts: [[String]: Int] = [:]
                for await race in group { counts[race, default: 0] += 1 }
                return counts
            }
        }
        // Every race: one accept and one refusal (the row was gone); never two accepts.
        #expect(counts == [["accepted", "nonceUnknown"]: 1000])
    }

    @Test("a nonce issued by A is consumed by B, once; neither node accepts it again")
    func issuedOnAConsumedOnB() async throws {
        try await SharedStore.withNodes { a, b in
            let nonce = try await a.issueNonce()
            let token = try pki.token(origin: origin, nonce: nonce)
            let login = try await b.verify(token: token, origin: origin, nonce: nonce)
            #expect(login.claims.subjectNameID == "899700012345")
            await Support.expectRefusal("nonceUnknown") { _ = try await a.verify(token: token, origin: origin, nonce: nonce) }
            await Support.expectRefusal("nonceUnknown") { _ = try await b.verify(token: token, origin: origin, nonce: nonce) }
        }
    }

    @Test("an expired nonce is refused by both nodes (expiry on the database's clock)")
    func expiredRefusedByBoth() async throws {
        try await SharedStore.withNodes(configure: { $0.nonceLifetime = .seconds(1) }) { a, b in
            let fromA = try await a.issueNonce(), fromB = try await b.issueNonce()
            try await Task.sleep(for: .milliseconds(1500))
            for (nonce, nodes) in [(fromA, [b, a]), (fromB, [a, b])] {
                let token = try pki.token(origin: origin, nonce: nonce)
                for node in nodes {
                    await Support.expectRefusal("nonceUnknown") { _ = try await node.verify(token: token, origin: origin, nonce: nonce) }
                }
            }
        }
    }

    @Test("purge deletes the expired rows only; the schema can be created again without harm")
    func purge() async throws {
        try await SharedStore.withStores { a, b in
            try await b.migrate()
            let now = Date()
            for name in ["gone-1", "gone-2", "gone-3"] {
                try await a.insert(name, expiresAt: now.addingTimeInterval(-1), now: now)
            }
            try await b.insert("kept", expiresAt: now.addingTimeInterval(60), now: now)
            #expect(try await a.purge() == 3)
            #expect(try await b.purge() == 0)
            #expect(try await b.consume("gone-1", now: now) == .unknown)
            #expect(try await a.consume("kept", now: now) == .fresh)
            #expect(try await b.consume("kept", now: now) == .unknown)
        }
    }

    @Test("run() purges the expired rows in the background, every purgeInterval")
    func backgroundPurge() async throws {
        var configuration = try SharedStore.configuration(table: SharedStore.newTable())
        configuration.purgeInterval = .milliseconds(200)
        let store = try PostgresNonceStore(configuration: configuration)
        let table = configuration.table
        let running = Task { await store.run() }
        defer { running.cancel() }
        try await store.migrate()
        let now = Date()
        for index in 0..<5 { try await store.insert("short-\(index)", expiresAt: now.addingTimeInterval(0.3), now: now) }
        try await store.insert("long", expiresAt: now.addingTimeInterval(60), now: now)
        func rows() async throws -> Int {
            var count = 0
            for try await value in try await store.client.query("SELECT count(*) FROM \(unescaped: table)").decode(Int.self) {
                count = value
            }
            return count
        }
        #expect(try await rows() == 6)
        try await Task.sleep(for: .milliseconds(1200))
        #expect(try await rows() == 1, "the expired rows are still there")
    }

    @Test("PostgreSQL stopped mid-run: nonceStoreUnavailable on both nodes, nothing accepted; service resumes once it is back")
    func outage() async throws {
        try await SharedStore.withNodes(operationTimeout: .seconds(2)) { a, b in
            let before = try await a.issueNonce()
            let token = try pki.token(origin: origin, nonce: before)
            try SharedStore.server("stop")
            for node in [a, b] {
                let error = await Support.expectRefusal("nonceStoreUnavailable") {
                    _ = try await node.verify(token: token, origin: origin, nonce: before)
                }
                #expect("\(error.map { String(describing: $0) } ?? "")".contains("PostgreSQL"))
            }
            await #expect(throws: PostgresNonceStoreError.self) { _ = try await b.issueNonce() }
            try SharedStore.server("start")
            // The pools reconnect by themselves (postgres-nio's backoff: 100 ms, growing).
            var resumed = false
            let deadline = ContinuousClock.now + .seconds(60)
            while !resumed, ContinuousClock.now < deadline {
                if let nonce = try? await b.issueNonce() {
                    let fresh = try pki.token(origin: origin, nonce: nonce)
                    _ = try await a.verify(token: fresh, origin: origin, nonce: nonce)
                    resumed = true
                } else {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(resumed, "no login through the store within 60 s of PostgreSQL's restart")
            // Refused during the outage, the nonce was never spent: it is good once, now.
            _ = try await b.verify(token: token, origin: origin, nonce: before)
            await Support.expectRefusal("nonceUnknown") { _ = try await a.verify(token: token, origin: origin, nonce: before) }
        }
    }
}
