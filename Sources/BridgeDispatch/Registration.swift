import PeerCredentials

/// One user's daemon registered with the dispatcher: it receives its account's connections.
struct Registration: Sendable, Hashable {
    let socket: RegistrySocket
    /// Who connected, by `SO_PEERCRED`: the account whose connections it receives.
    let peer: UnixPeer
    /// What it said it is (for the log only).
    let software: String
}

/// A daemon's connection to the registry that has not yet said `REGISTER`.
struct PendingRegistration: Sendable, Hashable {
    let socket: RegistrySocket
    let deadline: ContinuousClock.Instant
}
