import CPCSCLite

/// A PC/SC call that did not return `SCARD_S_SUCCESS`: the code and the C function.
///
/// Equal on the code, so `error == PCSCError(.removedCard)` reads naturally in tests.
public struct PCSCError: Error, Hashable, Sendable {
    public let status: PCSCStatus
    /// The C function that failed, e.g. `SCardTransmit`.
    public let function: String

    public init(_ status: PCSCStatus, function: String = "") {
        self.status = status
        self.function = function
    }

    public static func == (lhs: PCSCError, rhs: PCSCError) -> Bool { lhs.status == rhs.status }
    public func hash(into hasher: inout Hasher) { hasher.combine(status) }
}

extension PCSCError: CustomStringConvertible {
    public var description: String { function.isEmpty ? status.description : "\(function): \(status)" }
}

/// The one call site of every PC/SC function: runs `body`, and throws a `PCSCError` naming
/// `function` unless it returned `SCARD_S_SUCCESS`.
@inline(__always)
func pcsc(_ function: String, _ body: () -> LONG) throws(PCSCError) {
    let rv = body()
    guard rv == SCARD_S_SUCCESS else { throw PCSCError(PCSCStatus(rv), function: function) }
}
