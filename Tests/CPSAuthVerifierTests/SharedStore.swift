import CPSAuthVerifier
import CPSNonceStorePostgres
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The private PostgreSQL server of the test run (scripts/with-postgres.sh), and verifier
/// nodes on it: each node has its own `PostgresNonceStore` and pool, as separate machines have.
enum SharedStore {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["CPSB_POSTGRES_URL"]
    /// `stop`, `start`, `status` on that server (pg_ctl), for the outage test.
    static let control = environment["CPSB_POSTGRES_CTL"]
    /// Under CI=true the suite runs without the URL, and fails: nothing skips in CI.
    static let enabled = url != nil || environment["CI"] == "true"

    /// The configuration of one node's store on `table`.
    static func configuration(table: String, poolSize: Int = 8, operationTimeout: Duration = .seconds(10))
        throws -> PostgresNonceStore.Configuration {
        let url = try #require(url, "CPSB_POSTGRES_URL is not set: run under scripts/with-postgres.sh (required under CI=true)")
        var configuration = try PostgresNonceStore.Configuration(url: url)
        configuration.table = table
        configuration.poolSize = poolSize
        configuration.operationTimeout = operationTimeout
        return configuration
    }

    /// A new table name, so that each test starts empty.
    static func newTable() -> String {
        "test_nonces_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    }

    /// Two stores on one new table, each with its pool running, while `body` runs; the
    /// first creates the table.
    static func withStores<T: Sendable>(operationTimeout: Duration = .seconds(10),
                                        _ body: @Sendable (PostgresNonceStore, PostgresNonceStore) async throws -> T) async throws -> T {
        let table = newTable()
        let stores = try (0..<2).map { _ in
            try PostgresNonceStore(configuration: configuration(table: table, operationTimeout: operationTimeout))
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { await store.run() } }
            defer { group.cancelAll() }
            try await stores[0].migrate()
            return try await body(stores[0], stores[1])
        }
    }

    /// Two verifier nodes (the test PKI's PSC profile) on two stores sharing one table.
    static func withNodes<T: Sendable>(operationTimeout: Duration = .seconds(10),
                                       configure: @escaping @Sendable (inout VerifierConfiguration) -> Void = { _ in },
                                       _ body: @Sendable (CPSAuthVerifier, CPSAuthVerifier) async throws -> T) async throws -> T {
        try await withStores(operationTimeout: operationTimeout) { a, b in
            try await body(Support.verifier(store: a, configure: configure), Support.verifier(store: b, configure: configure))
        }
    }

    /// Runs the server's control script (`stop`, `start`) and expects it to succeed.
    /// posix_spawn and waitpid, not Foundation's `Process`: the server it starts outlives the
    /// script, and `Process` did not see the script end (the test hung on `start`).
    static func server(_ action: String) throws {
        let control = try #require(control, "CPSB_POSTGRES_CTL is not set: run under scripts/with-postgres.sh")
        var pid = pid_t()
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(control), strdup(action), nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, control, nil, nil, argv, environ)
        try #require(spawned == 0, "cannot run \(control): \(String(cString: strerror(spawned)))")
        var status: Int32 = 0
        var waited: pid_t
        repeat { waited = waitpid(pid, &status, 0) } while waited == -1 && errno == EINTR
        // ECHILD: reaped by someone else; what follows checks the server itself.
        if waited == pid {
            #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "\(control) \(action) failed (wait status \(status))")
        }
    }
}
