import CPSAuthVerifier
import Foundation
import Logging
import PostgresNIO

/// A `NonceStore` shared by every node of a federator cluster: one PostgreSQL table
/// (docs/VERIFIER.md, "A shared nonce store for a cluster").
///
/// - issue: `INSERT ... VALUES ($1, now() + lifetime) ON CONFLICT (nonce) DO NOTHING`: a
///   second insert never revives a spent nonce nor extends a live one;
/// - consume: ONE statement, `DELETE FROM t WHERE nonce = $1 AND expires_at > now()
///   RETURNING 1`. The row lock makes it single use by construction: of two nodes deleting
///   the same row at once, one gets it back and the other nothing. No read-then-write;
/// - a spent, expired or never issued nonce all read as `.unknown` (the row is gone, or
///   not returned): refused as `nonceUnknown`;
/// - expired rows are deleted by `purge()`, every `purgeInterval` while `run()` runs.
///
/// Expiry is on the database's clock (`now()`), the same for every node: the lifetime
/// `insert` receives (`expiresAt - now`) is added to the database's `now()`, and the `now`
/// passed to `consume` is not used.
///
/// Use: call `run()` in a long-lived task (a ServiceLifecycle service, or a `Task` the owner
/// cancels at shutdown): it runs the connection pool and the purge. Then `migrate()` once
/// (idempotent). Every operation is bounded by `operationTimeout`: with the database
/// unreachable, `insert`/`consume` throw `PostgresNonceStoreError.unavailable` and the
/// verifier refuses with `nonceStoreUnavailable`; once the database is back, the pool
/// reconnects by itself.
public final class PostgresNonceStore: NonceStore {
    /// What this store was made with.
    public let configuration: Configuration
    /// The connection pool (postgres-nio's `PostgresClient`), `configuration.poolSize` wide.
    public let client: PostgresClient
    let logger: Logger

    /// - Throws: `PostgresNonceStoreError.invalidConfiguration` for a bad table name or pool size.
    public init(configuration: Configuration, logger: Logger = Logger(label: "cps.nonce-store")) throws(PostgresNonceStoreError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
    }

    /// Runs the connection pool and the purge until the task is cancelled. Queries wait for
    /// it (bounded by `operationTimeout`): start it before using the store.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.purgeLoop() }
        }
    }

    /// Deletes the expired rows every `purgeInterval` until cancelled; a failure is logged
    /// and retried at the next tick (a later purge catches up).
    func purgeLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.purgeInterval) } catch { return }
            do {
                let count = try await purge()
                if count > 0 { logger.debug("purged expired nonces", metadata: ["count": "\(count)"]) }
            } catch {
                logger.warning("nonce purge failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Creates the table and its expiry index when they do not exist (idempotent; every node
    /// may run it at start).
    public func migrate() async throws(PostgresNonceStoreError) {
        let table = configuration.table
        _ = try await bounded {
            try await self.rows("""
                CREATE TABLE IF NOT EXISTS \(unescaped: table) (
                    nonce text PRIMARY KEY, expires_at timestamptz NOT NULL)
                """)
            return try await self.rows(
                "CREATE INDEX IF NOT EXISTS \(unescaped: table)_expires_at ON \(unescaped: table) (expires_at)")
        }
    }

    /// Issues `nonce`: a row expiring `expiresAt - now` from the database's `now()`.
    public func insert(_ nonce: String, expiresAt: Date, now: Date) async throws {
        let table = configuration.table
        let lifetime = max(0, expiresAt.timeIntervalSince(now))
        _ = try await bounded {
            try await self.rows("""
                INSERT INTO \(unescaped: table) (nonce, expires_at)
                VALUES (\(nonce), now() + make_interval(secs => \(lifetime))) ON CONFLICT (nonce) DO NOTHING
                """)
        }
    }

    /// Spends `nonce` with the one atomic statement; `.fresh` or `.unknown`.
    public func consume(_ nonce: String, now: Date) async throws -> NonceState {
        let table = configuration.table
        let returned = try await bounded {
            try await self.rows("DELETE FROM \(unescaped: table) WHERE nonce = \(nonce) AND expires_at > now() RETURNING 1")
        }
        return returned > 0 ? .fresh : .unknown
    }

    /// Runs `query` and reads its answer to the end (so that every error surfaces here).
    /// - Returns: how many rows it returned.
    func rows(_ query: PostgresQuery) async throws -> Int {
        var count = 0
        for try await _ in try await client.query(query, logger: logger) { count += 1 }
        return count
    }

    /// Deletes the rows whose expiry has passed on the database's clock.
    /// - Returns: how many were deleted.
    @discardableResult
    public func purge() async throws(PostgresNonceStoreError) -> Int {
        let table = configuration.table
        return try await bounded {
            let rows = try await self.client.query(
                "WITH gone AS (DELETE FROM \(unescaped: table) WHERE expires_at <= now() RETURNING 1) SELECT count(*) FROM gone",
                logger: self.logger)
            var count = 0
            for try await value in rows.decode(Int.self) { count = value }
            return count
        }
    }
}
