import BridgeProtocol
import CPSAuthVerifier
import CPSNonceStorePostgres
import Foundation
import VerifierTestPKI

/// `cps-bench verify --postgres URL`: the nonce store's share of a login, with `concurrency`
/// verifications in flight per node (a federator node serves many browsers at once). Series:
/// one node with the in-memory store, one node with PostgreSQL, two nodes sharing PostgreSQL
/// (both at once; each verifies tokens whose nonce the other issued). Per node: tokens/s over
/// the series' wall time, and each verification's latency (p50/p99). Issuing (one INSERT per
/// nonce with PostgreSQL) is timed apart, with the same concurrency.
struct SharedStoreBench {
    let pki: VerifierTestPKI
    let origin: String
    let configuration: VerifierConfiguration
    let url: String
    let count: Int
    let warmup: Int
    let concurrency: Int

    /// One node's figures in a series.
    struct NodeFigures {
        var latencies = Samples()
        var seconds = 0.0
        var tokensPerSecond: Double { Double(latencies.count) / seconds }
    }

    func run() async throws {
        var store = try PostgresNonceStore.Configuration(url: url)
        store.table = "bench_nonces_\(UInt32.random(in: 0...UInt32.max))"
        store.poolSize = concurrency
        let stores = try (0..<2).map { _ in try PostgresNonceStore(configuration: store) }
        print("shared store: PostgreSQL at \(url), table \(store.table), pool \(store.poolSize) per node, \(concurrency) verifications in flight per node")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { await store.run() } }
            defer { group.cancelAll() }
            try await stores[0].migrate()
            let memory = CPSAuthVerifier(configuration: configuration)
            let nodeA = CPSAuthVerifier(configuration: configuration, nonceStore: stores[0])
            let nodeB = CPSAuthVerifier(configuration: configuration, nonceStore: stores[1])
            try await report("one node, memory store", try await series([(memory, memory)]))
            try await report("one node, PostgreSQL", try await series([(nodeA, nodeA)]))
            // Each node verifies tokens issued by the other: every nonce crosses nodes.
            try await report("two nodes sharing PostgreSQL", try await series([(nodeB, nodeA), (nodeA, nodeB)]))
            let purged = try await stores[0].purge()
            print("rows purged at the end (expired): \(purged)")
        }
    }

    func report(_ name: String, _ figures: [(issue: NodeFigures, verify: NodeFigures)]) async throws {
        for (index, node) in figures.enumerated() {
            let label = figures.count == 1 ? name : "\(name), node \(index == 0 ? "A" : "B")"
            print("\(label): verify \(String(format: "%.0f", node.verify.tokensPerSecond)) tokens/s, latency p50 \(ms(node.verify.latencies.median)) p99 \(ms(node.verify.latencies.percentile(99))) ms (n=\(node.verify.latencies.count))")
            print("\(String(repeating: " ", count: label.count))  issue  \(String(format: "%.0f", node.issue.tokensPerSecond)) nonces/s, latency p50 \(ms(node.issue.latencies.median)) p99 \(ms(node.issue.latencies.percentile(99))) ms")
        }
        if figures.count > 1 {
            print("\(name), both: verify \(String(format: "%.0f", figures.map(\.verify.tokensPerSecond).reduce(0, +))) tokens/s")
        }
    }

    /// One series: for each (issuer, verifier) pair, all at once: `warmup + count` nonces
    /// issued by the issuer, tokens signed (untimed), then verified by the verifier.
    func series(_ nodes: [(issuer: CPSAuthVerifier, verifier: CPSAuthVerifier)]) async throws -> [(issue: NodeFigures, verify: NodeFigures)] {
        let total = warmup + count
        var issued: [[String]] = []
        var issueFigures: [NodeFigures] = []
        for figures in try await concurrently(nodes.map { node in { (_: Int) in try await node.issuer.issueNonce() } }, total: total) {
            issued.append(figures.results)
            issueFigures.append(figures.figures)
        }
        let tokens = try issued.map { nonces in try nonces.map { (try JSONEncoder().encode(try pki.token(origin: origin, nonce: $0)), $0) } }
        let verified = try await concurrently(nodes.enumerated().map { index, node in
            { (i: Int) in
                _ = try await node.verifier.verify(tokenJSON: tokens[index][i].0, origin: origin, nonce: tokens[index][i].1)
                return ""
            }
        }, total: total)
        return zip(issueFigures, verified.map(\.figures)).map { (issue: $0, verify: $1) }
    }

    /// Runs `operations[n]` for i in 0..<total on node n, `concurrency` at a time per node,
    /// all nodes at once; the first `warmup` of each node untimed.
    func concurrently(_ operations: [@Sendable (Int) async throws -> String], total: Int) async throws
        -> [(results: [String], figures: NodeFigures)] {
        let warmup = self.warmup, concurrency = self.concurrency
        return try await withThrowingTaskGroup(of: (Int, [String], NodeFigures).self) { group in
            for (node, operation) in operations.enumerated() {
                group.addTask {
                    var results = [String](repeating: "", count: total)
                    for i in 0..<warmup { results[i] = try await operation(i) }
                    let clock = ContinuousClock()
                    let start = clock.now
                    let parts = try await withThrowingTaskGroup(of: [(Int, String, Duration)].self) { workers in
                        for worker in 0..<concurrency {
                            workers.addTask {
                                var out: [(Int, String, Duration)] = []
                                for i in stride(from: warmup + worker, to: total, by: concurrency) {
                                    let began = clock.now
                                    let result = try await operation(i)
                                    out.append((i, result, clock.now - began))
                                }
                                return out
                            }
                        }
                        var all: [(Int, String, Duration)] = []
                        for try await part in workers { all += part }
                        return all
                    }
                    let wall = clock.now - start
                    var figures = NodeFigures()
                    figures.seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
                    for (i, result, duration) in parts {
                        results[i] = result
                        figures.latencies.append(duration)
                    }
                    return (node, results, figures)
                }
            }
            var out = [(results: [String], figures: NodeFigures)](repeating: ([], NodeFigures()), count: operations.count)
            for try await (node, results, figures) in group { out[node] = (results, figures) }
            return out
        }
    }
}
