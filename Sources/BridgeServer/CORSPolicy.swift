/// The CORS answer for an allowed origin: echoed exactly, with `Vary: Origin`; never `*`,
/// never `null`, never credentials. Refused origins and local programs get no CORS header.
public enum CORSPolicy {
    /// Headers for any response to a request with `decision`, errors included, so that an
    /// allowed page can read why it failed.
    public static func responseHeaders(for decision: OriginPolicy.Decision) -> [(name: String, value: String)] {
        guard case .allowed(let origin) = decision else { return [("Vary", "Origin")] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    }

    /// Headers for a preflight (`OPTIONS`) from an allowed origin. Private/Local Network
    /// Access preflights (`Access-Control-Request-Private-Network: true`) are answered too.
    public static func preflightHeaders(for decision: OriginPolicy.Decision, requestHeaders: [String: String]) -> [(name: String, value: String)]? {
        guard case .allowed = decision else { return nil }
        var headers = responseHeaders(for: decision)
        headers.append(("Access-Control-Allow-Methods", "GET, POST"))
        headers.append(("Access-Control-Allow-Headers", "Content-Type"))
        headers.append(("Access-Control-Max-Age", "600"))
        let lowered = Dictionary(requestHeaders.map { ($0.key.lowercased(), $0.value.lowercased()) }, uniquingKeysWith: { a, _ in a })
        if lowered["access-control-request-private-network"] == "true" || lowered["access-control-request-local-network"] == "true" {
            headers.append(("Access-Control-Allow-Private-Network", "true"))
            headers.append(("Access-Control-Allow-Local-Network", "true"))
        }
        return headers
    }
}
