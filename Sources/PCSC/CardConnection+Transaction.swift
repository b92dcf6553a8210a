import CPCSCLite

extension CardConnection {
    /// Runs `body` inside a PC/SC transaction (`SCardBeginTransaction` ...
    /// `SCardEndTransaction`), so no other program's APDUs interleave with ours.
    ///
    /// Never wrap PKCS#11 calls in it: modules take their own transactions and would deadlock.
    /// - Parameter disposition: what to do with the card at the end (`.leave` normally; `.reset`
    ///   to drop any PIN verification state).
    public func withTransaction<T, E: Error>(
        disposition: Disposition = .leave,
        _ body: (CardConnection) throws(E) -> T
    ) throws -> T {
        try pcsc("SCardBeginTransaction") { SCardBeginTransaction(handle) }
        let result: Result<T, E>
        do {
            result = .success(try body(self))
        } catch {
            result = .failure(error)
        }
        let end = SCardEndTransaction(handle, disposition.cValue)
        let value = try result.get()
        if end != SCARD_S_SUCCESS { throw PCSCError(PCSCStatus(end), function: "SCardEndTransaction") }
        return value
    }
}

extension CardConnection {
    /// Starts a PC/SC transaction that outlives one call (`SCardBeginTransaction`): for a
    /// sequence of card commands spread over several calls of its owner, which must end it
    /// with `endTransaction`. Prefer `withTransaction` when the sequence fits in one closure.
    public func beginTransaction() throws(PCSCError) {
        try pcsc("SCardBeginTransaction") { SCardBeginTransaction(handle) }
    }

    /// Ends the transaction begun by `beginTransaction` (`SCardEndTransaction`), leaving,
    /// resetting or unpowering the card.
    public func endTransaction(_ disposition: Disposition = .leave) throws(PCSCError) {
        try pcsc("SCardEndTransaction") { SCardEndTransaction(handle, disposition.cValue) }
    }
}
