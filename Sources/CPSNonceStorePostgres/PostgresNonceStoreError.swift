/// Why the PostgreSQL nonce store cannot be made or used.
public enum PostgresNonceStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration is unusable (its `description` says which setting and why).
    case invalidConfiguration(String)
    /// The database could not be reached, did not answer in time, or refused the statement.
    /// The verifier turns it into `nonceStoreUnavailable`: nothing is accepted meanwhile.
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid PostgreSQL nonce store configuration: \(why)"
        case .unavailable(let why): "the PostgreSQL nonce store is unavailable: \(why)"
        }
    }
}
