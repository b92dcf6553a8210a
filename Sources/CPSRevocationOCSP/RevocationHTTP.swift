import AsyncHTTPClient
import CPSAuthVerifier
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP for revocation data, on AsyncHTTPClient: the client OCSP and CRL fetches share, and
/// the CRL fetcher `CRLReloader` takes.
public enum RevocationHTTP {
    /// The longest a TCP connection to a responder or CRL server may take to open.
    public static let connectTimeout: Duration = .seconds(2)

    /// The process-wide client OCSP queries and CRL fetches use by default: connections
    /// bounded by `connectTimeout`, no redirects followed (a responder answers itself), on
    /// NIO's shared event loops. It lives as long as the process (never shut down), like
    /// `HTTPClient.shared`.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: amount(connectTimeout), read: .seconds(10))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A `CRLReloader.Fetcher`: GET, bounded by the reloader's timeout (the whole exchange)
    /// and size limit; status 200 only.
    public static func fetcher(http: HTTPClient = RevocationHTTP.client) -> CRLReloader.Fetcher {
        { url, timeout, maxBytes in
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .GET
            let response = try await http.execute(request, timeout: amount(timeout))
            guard response.status == .ok else { throw CRLReloadError.unreadable("\(url) answered HTTP \(response.status.code)") }
            return Array(try await response.body.collect(upTo: maxBytes).readableBytesView)
        }
    }

    /// A `Duration` as NIO's `TimeAmount` (nanoseconds).
    static func amount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
