import CPSNonceStorePostgres
import PostgresNIO
import Testing

/// The PostgreSQL store's settings, read from URLs and checked before any connection.
@Suite("PostgreSQL nonce store configuration")
struct PostgresNonceStoreConfigurationTests {
    @Test("a TCP URL and a Unix-socket URL")
    func urls() throws {
        let tcp = try PostgresNonceStore.Configuration(url: "postgres://fed:secret@db.example:6543/federator?sslmode=disable")
        #expect(tcp.connection.host == "db.example")
        #expect(tcp.connection.port == 6543)
        #expect(tcp.connection.username == "fed")
        #expect(tcp.connection.password == "secret")
        #expect(tcp.connection.database == "federator")
        let socket = try PostgresNonceStore.Configuration(url: "postgresql://cps@/cps?host=/run/postgresql")
        #expect(socket.connection.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(socket.poolSize == 20 && socket.table == "cps_nonces")
    }

    @Test("bad URLs and settings are refused with the reason", arguments: [
        "http://db/x", "postgres://db.example/federator", "postgres://u@db.example/", "postgres://u@/x",
        "postgres://u@db/x?sslmode=sometimes",
    ])
    func badURL(_ url: String) {
        #expect(throws: PostgresNonceStoreError.self) { _ = try PostgresNonceStore.Configuration(url: url) }
    }

    @Test("a table name outside [a-z0-9_] or a pool of 0 is refused before connecting")
    func badSettings() throws {
        for change in [{ (c: inout PostgresNonceStore.Configuration) in c.table = "nonces; DROP TABLE x" },
                       { $0.table = "Nonces" }, { $0.table = "" }, { $0.poolSize = 0 }, { $0.operationTimeout = .zero }] {
            var configuration = try PostgresNonceStore.Configuration(url: "postgres://u@db/x")
            change(&configuration)
            #expect(throws: PostgresNonceStoreError.self) { _ = try PostgresNonceStore(configuration: configuration) }
        }
    }
}
