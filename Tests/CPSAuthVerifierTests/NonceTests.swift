import BridgeProtocol
import CPSAuthVerifier
import Foundation
import Testing
import VerifierTestPKI

/// Issued nonces and the in-memory store.
@Suite("Nonces")
struct NonceTests {
    @Test("an issued nonce is 256 random bits in standard base64, valid for the protocol, never repeated")
    func issued() async throws {
        let verifier = Support.verifier()
        var seen: Set<String> = []
        for _ in 0..<200 {
            let nonce = try await verifier.issueNonce()
            #expect(nonce.count == 44)
            #expect(Data(base64Encoded: nonce)?.count == 32)
            #expect(try Nonce(nonce).byteCount == 32)
            seen.insert(nonce)
        }
        #expect(seen.count == 200)
    }

    @Test("the store reports fresh, then used; past the expiry, expired; never issued, unknown")
    func states() async {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = InMemoryNonceStore()
        await store.insert("a", expiresAt: t0.addingTimeInterval(60), now: t0)
        await store.insert("b", expiresAt: t0.addingTimeInterval(60), now: t0)
        #expect(await store.consume("a", now: t0.addingTimeInterval(10)) == .fresh)
        #expect(await store.consume("a", now: t0.addingTimeInterval(11)) == .used)
        #expect(await store.consume("b", now: t0.addingTimeInterval(61)) == .expired)
        #expect(await store.consume("b", now: t0.addingTimeInterval(62)) == .used)
        #expect(await store.consume("c", now: t0) == .unknown)
    }

    @Test("used and expired nonces are remembered for the retention, then forgotten")
    func retention() async {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = InMemoryNonceStore(retention: .seconds(100))
        await store.insert("a", expiresAt: t0.addingTimeInterval(60), now: t0)
        #expect(await store.consume("a", now: t0) == .fresh)
        #expect(await store.consume("a", now: t0.addingTimeInterval(150)) == .used)
        #expect(await store.consume("a", now: t0.addingTimeInterval(161)) == .unknown)
        #expect(await store.count == 0)
    }

    @Test("the store is bounded: past its capacity the oldest nonces are dropped and read as unknown")
    func bounded() async {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = InMemoryNonceStore(capacity: 1000)
        for i in 0..<3000 { await store.insert("n\(i)", expiresAt: t0.addingTimeInterval(300), now: t0) }
        #expect(await store.count == 1000)
        #expect(await store.consume("n0", now: t0) == .unknown)
        #expect(await store.consume("n1999", now: t0) == .unknown)
        #expect(await store.consume("n2000", now: t0) == .fresh)
        #expect(await store.consume("n2999", now: t0) == .fresh)
    }

    @Test("expired entries are purged as new ones come in")
    func purge() async {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = InMemoryNonceStore(retention: .zero)
        for i in 0..<100 { await store.insert("old\(i)", expiresAt: t0.addingTimeInterval(60), now: t0) }
        await store.insert("new", expiresAt: t0.addingTimeInterval(200), now: t0.addingTimeInterval(120))
        #expect(await store.count == 1)
    }

    @Test("1,000 concurrent consumes of one nonce: exactly one is fresh")
    func concurrent() async {
        let store = InMemoryNonceStore()
        let now = Date()
        await store.insert("x", expiresAt: now.addingTimeInterval(60), now: now)
        let states = await withTaskGroup(of: NonceState.self) { group in
            for _ in 0..<1000 { group.addTask { await store.consume("x", now: now) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(states.filter { $0 == .fresh }.count == 1)
        #expect(states.filter { $0 == .used }.count == 999)
    }

    @Test("inserting a nonce again never clears its used mark nor extends its life")
    func reinsertKeepsUsed() async {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = InMemoryNonceStore()
        await store.insert("a", expiresAt: t0.addingTimeInterval(60), now: t0)
        #expect(await store.consume("a", now: t0) == .fresh)
        await store.insert("a", expiresAt: t0.addingTimeInterval(600), now: t0.addingTimeInterval(1))
        #expect(await store.consume("a", now: t0.addingTimeInterval(2)) == .used)
        await store.insert("b", expiresAt: t0.addingTimeInterval(60), now: t0)
        await store.insert("b", expiresAt: t0.addingTimeInterval(600), now: t0.addingTimeInterval(1))
        #expect(await store.consume("b", now: t0.addingTimeInterval(61)) == .expired)
    }

    @Test("1,000 concurrent verifications of one good token: exactly one login is accepted")
    func concurrentVerifications() async throws {
        let verifier = Support.verifier()
        let nonce = try await verifier.issueNonce()
        let token = try Support.pki.token(origin: Support.origin, nonce: nonce)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    do {
                        _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)
                        return "accepted"
                    } catch {
                        return (error as? TokenVerificationError)?.code ?? "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["accepted": 1, "nonceReplayed": 999])
    }

    @Test("a store that cannot be reached: nonceStoreUnavailable, and nothing is accepted")
    func unreachableStore() async throws {
        /// Issues fine, then goes down: every consume throws.
        actor Flaky: NonceStore {
            struct Unreachable: Error {}
            var down = false
            let inner = InMemoryNonceStore()
            func goDown() { down = true }
            func insert(_ nonce: String, expiresAt: Date, now: Date) async throws {
                if down { throw Unreachable() }
                await inner.insert(nonce, expiresAt: expiresAt, now: now)
            }
            func consume(_ nonce: String, now: Date) async throws -> NonceState {
                if down { throw Unreachable() }
                return await inner.consume(nonce, now: now)
            }
        }
        let store = Flaky()
        let verifier = Support.verifier(store: store)
        let nonce = try await verifier.issueNonce()
        let token = try Support.pki.token(origin: Support.origin, nonce: nonce)
        await store.goDown()
        for _ in 0..<3 {
            await Support.expectRefusal("nonceStoreUnavailable") {
                _ = try await verifier.verify(token: token, origin: Support.origin, nonce: nonce)
            }
        }
        await #expect(throws: Flaky.Unreachable.self) { _ = try await verifier.issueNonce() }
    }
}
