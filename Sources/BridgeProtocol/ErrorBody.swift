/// The body of an HTTP error answer: `{"error":{"code":...,"message":{...},...}}`, sent
/// with `httpStatus`.
public struct ErrorBody: Codable, Hashable, Sendable {
    public var error: ErrorPayload

    public init(_ error: ErrorPayload) {
        self.error = error
    }

    /// The status to send: the code's (`ErrorCode.httpStatus`).
    public var httpStatus: Int { error.code.httpStatus }
}
