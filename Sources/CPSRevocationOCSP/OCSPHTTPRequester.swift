import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import X509

/// One OCSP exchange for `OCSPVerifierPolicy`: POSTs the DER request it made to the
/// responder (the certificate's, or the configured override), and keeps the response bytes
/// (or why there are none) for `OCSPClient` to read after the policy has checked them.
final class OCSPHTTPRequester: OCSPRequester {
    let client: OCSPClient
    let override: String?
    private let state = Mutex<(url: String?, response: [UInt8]?, failure: String?)>((nil, nil, nil))

    init(client: OCSPClient, override: String?) {
        self.client = client
        self.override = override
    }

    /// The responder asked, once the policy has made its request.
    var url: String? { state.withLock { $0.url } }
    var response: [UInt8]? { state.withLock { $0.response } }
    var failure: String? { state.withLock { $0.failure } }

    func query(request: [UInt8], uri: String) async -> OCSPRequesterQueryResult {
        let url = override ?? uri
        state.withLock { $0.url = url }
        client.countRequest()
        do {
            guard let scheme = URL(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
                throw Failure("not an http(s) URL")
            }
            var http = HTTPClientRequest(url: url)
            http.method = .POST
            http.headers.add(name: "Content-Type", value: "application/ocsp-request")
            http.headers.add(name: "Accept", value: "application/ocsp-response")
            http.body = .bytes(request)
            let answer = try await client.http.execute(http, timeout: RevocationHTTP.amount(client.settings.timeout))
            guard answer.status == .ok else { throw Failure("HTTP \(answer.status.code)") }
            let body = try await answer.body.collect(upTo: client.settings.maxResponseBytes)
            let bytes = Array(body.readableBytesView)
            state.withLock { $0.response = bytes }
            return .response(bytes)
        } catch {
            let why = "OCSP responder \(url): \(error)"
            state.withLock { $0.failure = why }
            return .terminalError(Failure(why))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
