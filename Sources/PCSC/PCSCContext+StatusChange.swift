import CPCSCLite
#if canImport(Glibc)
import Glibc
#endif

extension PCSCContext {
    /// Blocks until one of `states` differs from its `currentState`, or `timeout` passes
    /// (`SCardGetStatusChange`). Updates each entry's `eventState` and `atr`.
    ///
    /// - Parameters:
    ///   - states: the readers to watch; include `ReaderState.plugAndPlay()` to learn of
    ///     readers plugged or unplugged.
    ///   - timeoutMilliseconds: `nil` waits forever (until a change or `cancel()`).
    /// - Returns: `false` when the wait timed out with no change.
    /// - Throws: `.cancelled` after `cancel()`; `.noService`/`.serviceStopped` when pcscd went away.
    @discardableResult
    public func waitForStatusChange(_ states: inout [ReaderState], timeoutMilliseconds: Int?) throws(PCSCError) -> Bool {
        guard !states.isEmpty else { return true }
        // The reader names must stay alive across the blocking call.
        let names = states.map { strdup($0.reader)! }
        defer { names.forEach { free($0) } }
        var cStates = states.enumerated().map { index, state in
            var c = SCARD_READERSTATE()
            c.szReader = UnsafePointer(names[index])
            c.dwCurrentState = DWORD(state.currentState)
            return c
        }
        let timeout = timeoutMilliseconds.map { DWORD($0) } ?? DWORD(INFINITE)
        do throws(PCSCError) {
            try pcsc("SCardGetStatusChange") {
                SCardGetStatusChange(handle, timeout, &cStates, DWORD(cStates.count))
            }
        } catch where error.status == .timeout {
            return false
        }
        for index in states.indices {
            var c = cStates[index]
            states[index].eventState = UInt32(truncatingIfNeeded: c.dwEventState)
            let count = min(Int(c.cbAtr), Int(MAX_ATR_SIZE))
            states[index].atr = withUnsafeBytes(of: &c.rgbAtr) { Array($0.prefix(count)) }
        }
        return true
    }

    /// The present state of each named reader, without waiting (a zero-timeout status query).
    public func currentStates(of readers: [String]) throws(PCSCError) -> [ReaderState] {
        var states = readers.map { ReaderState(reader: $0) }
        try waitForStatusChange(&states, timeoutMilliseconds: 0)
        return states
    }
}
