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
