import Foundation
import NIOSSL
import PostgresNIO

extension PostgresNonceStore {
    /// The store's settings (docs/VERIFIER.md, "The PostgreSQL store's settings").
    public struct Configuration: Sendable {
        /// Where the database is and who to log in as: postgres-nio's client configuration
        /// (`init(url:)` makes one from a URL). Its pool size and connect timeout are set
        /// from `poolSize` and `connectTimeout` below.
        public var connection: PostgresClient.Configuration
        /// The table's name: lowercase ASCII letters, digits and `_`, a letter or `_` first,
        /// at most 48 characters (default `cps_nonces`).
        public var table: String = "cps_nonces"
        /// The most connections each node's pool opens (default 20). Every node has its own
        /// pool: size PostgreSQL's `max_connections` for nodes x poolSize.
        public var poolSize: Int = 20
        /// The longest a new connection may take to be established (default 2 s).
        public var connectTimeout: Duration = .seconds(2)
        /// The longest an insert, consume, purge or migration may take, waiting for a
        /// connection included (default 2 s); past it the store is `unavailable`.
        public var operationTimeout: Duration = .seconds(2)
        /// How often `run()` deletes expired rows (default 60 s).
        public var purgeInterval: Duration = .seconds(60)

        public init(connection: PostgresClient.Configuration) {
            self.connection = connection
        }

        /// A configuration from a URL:
        /// - `postgres://user[:password]@host[:port]/database` over TCP, TLS preferred;
        ///   `?sslmode=disable` turns TLS off, `?sslmode=require` insists on it (the server's
        ///   certificate is checked against the system's roots);
        /// - `postgres://user@/database?host=/run/postgresql[&port=5432]` over the Unix
        ///   socket in that directory (libpq's spelling).
        public init(url text: String) throws(PostgresNonceStoreError) {
            guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
                throw .invalidConfiguration("not a postgres:// URL")
            }
            guard let user = url.user, !user.isEmpty else { throw .invalidConfiguration("the URL names no user") }
            let database = String(url.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty else { throw .invalidConfiguration("the URL names no database") }
            let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            guard let port = url.port ?? (query["port"].map { Int($0) } ?? 5432), (1...65535).contains(port) else {
                throw .invalidConfiguration("invalid port")
            }
            if let directory = query["host"], directory.hasPrefix("/") {
                connection = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user,
                                   password: url.password, database: database)
            } else {
                guard let host = url.host, !host.isEmpty else { throw .invalidConfiguration("the URL names no host") }
                let tls: PostgresClient.Configuration.TLS
                switch query["sslmode"] ?? "prefer" {
                case "disable": tls = .disable
                case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
                case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
                case let mode: throw .invalidConfiguration("unknown sslmode \(mode)")
                }
                connection = .init(host: host, port: port, username: user, password: url.password,
                                   database: database, tls: tls)
            }
        }

        /// Checks the settings the database would refuse late, or that would hang.
        func validate() throws(PostgresNonceStoreError) {
            guard let first = table.first, first.isASCII, first.isLetter || first == "_", table.count <= 48,
                  table.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw .invalidConfiguration("table name \(table.debugDescription): lowercase letters, digits and _, at most 48")
            }
            guard poolSize > 0 else { throw .invalidConfiguration("poolSize must be positive") }
            for (name, value) in [("connectTimeout", connectTimeout), ("operationTimeout", operationTimeout),
                                  ("purgeInterval", purgeInterval)] where value <= .zero {
                throw .invalidConfiguration("\(name) must be positive")
            }
        }

        /// postgres-nio's configuration with this pool size and connect timeout.
        func clientConfiguration() -> PostgresClient.Configuration {
            var configuration = connection
            configuration.options.maximumConnections = poolSize
            configuration.options.connectTimeout = connectTimeout
            return configuration
        }
    }
}
