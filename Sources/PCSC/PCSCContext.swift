import CPCSCLite

/// A PC/SC resource manager context (`SCARDCONTEXT`), released when the object goes away.
///
/// Calls on one context are serialised by pcsc-lite: a status-change wait blocks a reader
/// listing on the same context. Give a monitor its own context and thread; `cancel()` is
/// the one call that is safe from another thread while a wait runs.
///
/// All methods block: call them off the cooperative pool (see `BlockingExecutor`).
public final class PCSCContext: @unchecked Sendable {
    // @unchecked: the handle is immutable after init and pcsc-lite locks per context;
    // SCardCancel is documented as callable from any thread.
    let handle: SCARDCONTEXT

    /// Establishes a user-scope context with pcscd (`SCardEstablishContext`).
    /// - Throws: `PCSCError` with `.noService` when pcscd is not running.
    public init() throws(PCSCError) {
        var context: SCARDCONTEXT = 0
        try pcsc("SCardEstablishContext") {
            SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context)
        }
        handle = context
    }

    deinit {
        SCardReleaseContext(handle)
    }

    /// Whether pcscd still knows this context (`SCardIsValidContext`); false after pcscd restarted.
    public var isValid: Bool { SCardIsValidContext(handle) == SCARD_S_SUCCESS }

    /// The names of the readers pcscd knows now (`SCardListReaders`); empty when none.
    public func listReaders() throws(PCSCError) -> [String] {
        var length: DWORD = 0
        do throws(PCSCError) {
            try pcsc("SCardListReaders") { SCardListReaders(handle, nil, nil, &length) }
        } catch where error.status == .noReadersAvailable {
            return []
        }
        var buffer = [CChar](repeating: 0, count: Int(length))
        do throws(PCSCError) {
            try pcsc("SCardListReaders") { SCardListReaders(handle, nil, &buffer, &length) }
        } catch where error.status == .noReadersAvailable {
            return []
        }
        return Self.splitMultiString(buffer)
    }

    /// Wakes a `waitForStatusChange` on this context at once (`SCardCancel`); it then throws
    /// `.cancelled`. Safe from any thread.
    public func cancel() throws(PCSCError) {
        try pcsc("SCardCancel") { SCardCancel(handle) }
    }

    /// Splits a PC/SC multi-string (names separated by NUL, ended by two NULs).
    static func splitMultiString(_ buffer: [CChar]) -> [String] {
        var names: [String] = []
        var current: [UInt8] = []
        for c in buffer {
            if c == 0 {
                if current.isEmpty { break }
                names.append(String(decoding: current, as: UTF8.self))
                current.removeAll()
            } else {
                current.append(UInt8(bitPattern: c))
            }
        }
        return names
    }
}
