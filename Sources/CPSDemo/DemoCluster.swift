import BridgeProtocol
import CPSAuthVerifier
import CPSNonceStorePostgres
import Hummingbird
import Logging
import ServiceLifecycle

/// `cps-bridge demo --nonce-store postgres://...`: two federator nodes, A and B, each with its
/// own verifier and its own `PostgresNonceStore` (its own connection pool, as two machines
/// would have), sharing one PostgreSQL table of nonces.
///
/// The page is served by node A, on the demo's origin: its challenges (`POST /api/nonce`) are
/// issued by node A, and the logins posted there are verified by node B (standing in for a load
/// balancer that sent the second request elsewhere): every demo login spends on B a nonce that
/// A issued. Node B also serves the whole federator API on its own port. Both nodes verify for
/// the one public origin, as the nodes of a cluster do. The browser sessions (which nonce each
/// browser was given) live in this process and are shared by both nodes, as a cluster shares
/// its session store; the nonces' single use is PostgreSQL's alone.
///
/// Run it as a service (`run()` runs both pools and their purges, and creates the table
/// first); then serve `applications(...)`.
public struct DemoCluster: Service {
    public let nodeA: DemoFederator
    public let nodeB: DemoFederator
    /// Node A's and node B's stores.
    public let stores: [PostgresNonceStore]
    let onReady: @Sendable () async -> Void
    let logger: Logger

    /// - Parameters:
    ///   - url: the PostgreSQL URL (`PostgresNonceStore.Configuration(url:)`).
    ///   - table: the nonce table (default `cps_demo_nonces`).
    ///   - make: makes one node from its verifier and the shared sessions.
    ///   - onReady: called once the table exists and the store answers.
    public init(url: String, table: String = "cps_demo_nonces", configuration: VerifierConfiguration, logger: Logger,
                onReady: @escaping @Sendable () async -> Void = {},
                make: (CPSAuthVerifier, NonceSessions, Logger) -> DemoFederator) throws {
        var storeConfiguration = try PostgresNonceStore.Configuration(url: url)
        storeConfiguration.table = table
        storeConfiguration.poolSize = 4
        let sessions = NonceSessions()
        var stores: [PostgresNonceStore] = []
        var nodes: [DemoFederator] = []
        for name in ["a", "b"] {
            var nodeLogger = logger
            nodeLogger[metadataKey: "node"] = "\(name)"
            let store = try PostgresNonceStore(configuration: storeConfiguration, logger: nodeLogger)
            stores.append(store)
            nodes.append(make(CPSAuthVerifier(configuration: configuration, nonceStore: store), sessions, nodeLogger))
        }
        self.stores = stores
        nodeA = nodes[0]
        nodeB = nodes[1]
        self.onReady = onReady
        self.logger = logger
    }

    /// Runs both pools (and their purges) until graceful shutdown or cancellation; creates
    /// the table first (throws when PostgreSQL cannot be reached: the demo then stops).
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                for store in stores { group.addTask { await store.run() } }
                do {
                    try await stores[0].migrate()
                } catch {
                    logger.error("demo nonce store: \(error)")
                    throw error
                }
                await onReady()
                // The pools run until the group is cancelled.
            }
        }
    }

    /// Node A on `portA` (the page; its logins verified by node B), node B on `portB`.
    public func applications(portA: Int, portB: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> [any Service] {
        [nodeA.application(port: portA, loginNode: nodeB, onServerRunning: onServerRunning),
         nodeB.application(port: portB, onServerRunning: onServerRunning)]
    }
}
