/// A whole HTTP/1.1 error response, written to a connection before anything it sends is read:
/// status line, headers, the protocol's JSON error body, `Connection: close`. The daemon sends
/// one to a connection it refuses at once (`otherUser`, `busy`), the dispatcher to an account
/// with no daemon (`bridgeNotRunning`). It carries no CORS headers: nothing of the request,
/// its `Origin` included, has been read.
public enum CannedResponse {
    /// The response's bytes.
    /// - Parameters:
    ///   - payload: the protocol's error.
    ///   - status: the HTTP status (the code's own by default).
    ///   - retryAfter: seconds, for a `Retry-After` header.
    public static func bytes(_ payload: ErrorPayload, status: Int? = nil, retryAfter: Int? = nil) -> [UInt8] {
        let status = status ?? payload.code.httpStatus
        let body = WireJSON.encode(ErrorBody(payload))
        var head = "HTTP/1.1 \(status) \(reason(status))\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n"
        if let retryAfter { head += "Retry-After: \(retryAfter)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 403: "Forbidden"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
