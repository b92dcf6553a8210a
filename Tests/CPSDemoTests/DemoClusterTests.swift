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

/// `cps-bridge demo --nonce-store`: two demo federator nodes sharing a real PostgreSQL nonce
/// store (the private server of scripts/with-postgres.sh): a challenge issued by node A is
/// spent by a login on node B, once.
@Suite(.serialized, .enabled(if: DemoClusterEnvironment.enabled, "needs PostgreSQL: run under scripts/with-postgres.sh"),
       .timeLimit(.minutes(2)))
struct DemoClusterTests {
    let helper = DemoFederatorTests()

    /// A cluster on a new table, its pools running and its table made, while `body` runs.
    func withCluster(_ body: (DemoCluster) async throws -> Void) async throws {
        let url = try #require(DemoClusterEnvironment.url, "CPSB_POSTGRES_URL is not set (required under CI=true)")
        let single = try helper.federator()
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../web").standardized
        let assets = try WebAssets(root: web)
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let table = "demo_nonces_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let cluster = try DemoCluster(url: url, table: String(table), configuration: single.verifier.configuration,
                                      logger: Logger(label: "test"), onReady: { readyContinuation.yield() }) { verifier, sessions, logger in
            DemoFederator(origin: single.origin, bridgeURL: single.bridgeURL, assets: assets, verifier: verifier,
                          nonceLifetimeSeconds: 300, signer: helper.signer, sessions: sessions, logger: logger)
        }
        let running = Task { try await cluster.run() }
        defer { running.cancel() }
        var iterator = ready.makeAsyncIterator()
        _ = await iterator.next()
        try await body(cluster)
    }

    @Test func aChallengeIssuedByNodeAIsSpentByALoginOnNodeBOnce() async throws {
        try await withCluster { cluster in
            let pki = helper.pki
            let (nonce, token) = try await cluster.nodeA.application(port: 0).test(.router) { nodeA -> (String, AuthenticationToken) in
                let (nonce, cookie) = try await helper.issue(nodeA)
                let token = try pki.token(origin: DemoFederatorTests.origin, nonce: nonce)
                try await cluster.nodeB.application(port: 0).test(.router) { nodeB in
                    let (status, json) = try await helper.login(nodeB, token: token, cookie: cookie)
                    #expect(status == .ok, "\(json)")
                    #expect((json["identity"] as? [String: Any])?["SubjectNameID"] as? String == "899700012345")
                }
                return (nonce, token)
            }
            // Spent in the shared table: neither node's verifier accepts it again.
            for node in [cluster.nodeA, cluster.nodeB] {
                let error = await #expect(throws: TokenVerificationError.self) {
                    _ = try await node.verifier.verify(token: token, origin: DemoFederatorTests.origin, nonce: nonce)
                }
                #expect(error?.code == "nonceUnknown")
            }
        }
    }

    @Test func thePageOnNodeALogsInThroughNodeB() async throws {
        try await withCluster { cluster in
            let pki = helper.pki
            try await cluster.nodeA.application(port: 0, loginNode: cluster.nodeB).test(.router) { client in
                let (nonce, cookie) = try await helper.issue(client)
                let token = try pki.token(origin: DemoFederatorTests.origin, nonce: nonce)
                let (status, json) = try await helper.login(client, token: token, cookie: cookie)
                #expect(status == .ok, "\(json)")
                // The nonce is gone from the shared store: a direct replay on either node is refused.
                for node in [cluster.nodeA, cluster.nodeB] {
                    let error = await #expect(throws: TokenVerificationError.self) {
                        _ = try await node.verifier.verify(token: token, origin: DemoFederatorTests.origin, nonce: nonce)
                    }
                    #expect(error?.code == "nonceUnknown")
                }
            }
        }
    }
}

/// Whether PostgreSQL is there (scripts/with-postgres.sh); under CI=true it must be.
enum DemoClusterEnvironment {
    static let url = ProcessInfo.processInfo.environment["CPSB_POSTGRES_URL"]
    static let enabled = url != nil || ProcessInfo.processInfo.environment["CI"] == "true"
}
