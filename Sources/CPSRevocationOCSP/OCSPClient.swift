import AsyncHTTPClient
import CPSAuthVerifier
import Crypto
import Foundation
import SwiftASN1
import Synchronization
@_spi(FixedExpiryValidationTime) import X509

/// OCSP (RFC 6960) for `CPSAuthVerifier`: set it as `VerifierConfiguration.ocsp`.
///
/// The request and the checks are swift-certificates' `OCSPVerifierPolicy` (hard-fail): a
/// SHA-1 `CertID` and a fresh nonce are sent; the response must be signed by the issuer, or by
/// a responder certificate the issuer issued with `id-kp-OCSPSigning` and included in the
/// response; it must answer for the `CertID` asked; a nonce it echoes must be ours. This
/// client adds stricter checks of its own on the verified response (`OCSPResponseSummary`):
/// `thisUpdate <= now + maxClockSkew`, a `nextUpdate` present and `now <= nextUpdate` (the
/// policy alone allows 75 minutes of leeway), and the nonce echoed when `requireNonce`.
///
/// Fetching is an HTTP POST (`application/ocsp-request`) with AsyncHTTPClient, bounded by
/// `timeout` for the whole exchange and by `RevocationHTTP.connectTimeout` to connect.
/// Verified `good` and `revoked` answers are cached until their `nextUpdate`, at most
/// `cacheCapacity` of them. Every failure is `.unknown(why)`: the verifier then falls back
/// or refuses (`revocationUnknown`) as its `RevocationPolicy` says.
public final class OCSPClient: OCSPStatusSource {
    /// What this client needs besides its HTTP client.
    public struct Settings: Sendable {
        /// The longest one OCSP exchange may take, connection included (default 5 s).
        public var timeout: Duration
        /// Responder URLs per issuer, used instead of the one in the certificate's
        /// `authorityInformationAccess` (a local mirror, a proxy). A certificate must still
        /// name a responder (an AIA OCSP entry) to be asked about.
        public var responderOverrides: [IssuerReference: String]
        /// Refuse a response that does not echo our nonce (default false: RFC 6960 responders
        /// may serve pre-signed responses without one).
        public var requireNonce: Bool
        /// The most answers cached (default 10 000); when full, expired answers are dropped,
        /// then the ones expiring soonest.
        public var cacheCapacity: Int
        /// How far in the future a response's `thisUpdate` may be (default 5 minutes).
        public var maxClockSkew: Duration
        /// The largest response read (default 64 KiB).
        public var maxResponseBytes: Int
        /// How long a responder that could not be reached (connection refused, timeout, HTTP
        /// error) is not asked again (default 30 s): meanwhile its certificates get no OCSP
        /// answer at once, so that under `.ocspThenCRL` logins fall back to the CRL without
        /// each waiting `timeout`. Zero asks every time.
        public var retryDownResponderAfter: Duration

        public init(timeout: Duration = .seconds(5), responderOverrides: [IssuerReference: String] = [:],
                    requireNonce: Bool = false, cacheCapacity: Int = 10_000, maxClockSkew: Duration = .seconds(300),
                    maxResponseBytes: Int = 64 << 10, retryDownResponderAfter: Duration = .seconds(30)) {
            self.timeout = timeout
            self.responderOverrides = responderOverrides
            self.requireNonce = requireNonce
            self.cacheCapacity = cacheCapacity
            self.maxClockSkew = maxClockSkew
            self.maxResponseBytes = maxResponseBytes
            self.retryDownResponderAfter = retryDownResponderAfter
        }
    }

    public let settings: Settings
    public let http: HTTPClient
    let cache: OCSPCache
    private let requests = Mutex<Int>(0)
    /// Responders that could not be reached: when, and why.
    private let down = Mutex<[String: (since: ContinuousClock.Instant, why: String)]>([:])
    /// The issuer stand-ins `OCSPVerifierPolicy` is run with (see `IssuerStandIn`), by issuer DER.
    private let standIns = Mutex<[[UInt8]: Certificate]>([:])

    public init(settings: Settings = Settings(), http: HTTPClient = RevocationHTTP.client) {
        self.settings = settings
        self.http = http
        cache = OCSPCache(capacity: settings.cacheCapacity)
    }

    /// How many OCSP requests this client has sent (cache misses).
    public var requestsSent: Int { requests.withLock { $0 } }
    /// How many answers are cached now.
    public var cachedCount: Int { cache.count }

    public func status(of certificate: Certificate, issuer: Certificate, now: Date) async -> OCSPStatus {
        let key = OCSPCache.Key(issuer: issuer, serial: certificate.serialNumber)
        if let hit = cache.lookup(key, now: now) { return hit }
        guard Self.namesResponder(certificate) else {
            return .unknown("the certificate names no OCSP responder (authorityInformationAccess)")
        }

        let override = settings.responderOverrides.first { $0.key.matches(issuer) }?.value
        if let url = override ?? Self.responderURL(certificate), let failure = recentFailure(of: url) {
            return .unknown(failure)
        }
        let requester = OCSPHTTPRequester(client: self, override: override)
        let root: Certificate
        do { root = try standIn(for: issuer) } catch { return .unknown("cannot prepare the issuer for OCSP: \(error)") }
        let policy = OCSPVerifierPolicy(failureMode: .hard, requester: requester, fixedExpiryValidationTime: now)
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            ValidatedChainPolicy([certificate, root])
            policy
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore())
        guard let response = requester.response else {
            if let failure = requester.failure {
                if let url = requester.url { markDown(url, failure) }
                return .unknown(failure)
            }
            if case .couldNotValidate(let failures) = result {
                let reasons = failures.map(\.policyFailureReason.description).joined(separator: "; ")
                return .unknown(reasons.isEmpty ? "the certificate does not chain to its issuer for OCSP" : reasons)
            }
            return .unknown("the certificate names no OCSP responder (authorityInformationAccess)")
        }
        let summary: OCSPResponseSummary
        do {
            summary = try OCSPResponseSummary(derEncoded: response, serial: certificate.serialNumber)
        } catch {
            return .unknown("OCSP response from \(requester.url ?? "?"): \(error)")
        }
        let status: OCSPStatus
        switch result {
        case .validCertificate:
            guard summary.status == .good else { return .unknown("OCSP: the policy accepted a response that is not good") }
            status = .good
        case .couldNotValidate(let failures):
            let reasons = failures.map(\.policyFailureReason.description)
            guard reasons.count == 1, reasons[0].hasPrefix("revoked through OCSP"), summary.status == .revoked else {
                return .unknown("OCSP response from \(requester.url ?? "?") refused: " + reasons.joined(separator: "; "))
            }
            status = .revoked(at: summary.revocationTime)
        }
        if let why = summary.problem(now: now, maxClockSkew: settings.maxClockSkew, requireNonce: settings.requireNonce) {
            return .unknown("OCSP response from \(requester.url ?? "?") refused: \(why)")
        }
        if let until = summary.nextUpdate { cache.store(key, status: status, until: until, now: now) }
        return status
    }

    func countRequest() { requests.withLock { $0 += 1 } }

    /// Why `url` is taken as down, when it failed less than `retryDownResponderAfter` ago.
    func recentFailure(of url: String) -> String? {
        down.withLock { down in
            guard let entry = down[url] else { return nil }
            let age = ContinuousClock.now - entry.since
            guard age < settings.retryDownResponderAfter else {
                down[url] = nil
                return nil
            }
            return "\(entry.why) (not asked again for \(settings.retryDownResponderAfter) after a failure; \(age) ago)"
        }
    }

    func markDown(_ url: String, _ why: String) {
        guard settings.retryDownResponderAfter > .zero else { return }
        down.withLock { $0[url] = (ContinuousClock.now, why) }
    }

    /// The first OCSP responder URI in `certificate`'s `authorityInformationAccess` (the one
    /// `OCSPVerifierPolicy` asks).
    static func responderURL(_ certificate: Certificate) -> String? {
        guard let access = try? certificate.extensions.authorityInformationAccess else { return nil }
        for description in access where description.method == .ocspServer {
            if case .uniformResourceIdentifier(let uri) = description.location { return uri }
        }
        return nil
    }

    /// Whether `certificate`'s `authorityInformationAccess` names an OCSP responder by URI:
    /// `OCSPVerifierPolicy` asks only those (and passes the others without asking).
    static func namesResponder(_ certificate: Certificate) -> Bool {
        guard let access = try? certificate.extensions.authorityInformationAccess else { return false }
        return access.contains { description in
            guard description.method == .ocspServer, case .uniformResourceIdentifier = description.location else { return false }
            return true
        }
    }

    /// `issuer` as `OCSPVerifierPolicy` should see it: the same subject, key and validity,
    /// without `authorityInformationAccess`. The policy refuses a chain whose top names an
    /// OCSP responder ("root certificate is not allowed to have an OCSP URI"), but here the
    /// top is only the certificate's issuer, which may well name its own issuer's responder.
    /// The stand-in is trusted as the issuer itself was (the chain was validated before), so
    /// its own signature, by a throwaway key, is never checked.
    func standIn(for issuer: Certificate) throws -> Certificate {
        var serializer = DER.Serializer()
        try serializer.serialize(issuer)
        let der = serializer.serializedBytes
        if let made = standIns.withLock({ $0[der] }) { return made }
        guard try issuer.extensions.authorityInformationAccess != nil else { return issuer }
        var extensions = Certificate.Extensions()
        for ext in issuer.extensions where ext.oid != .X509ExtensionID.authorityInformationAccess {
            try extensions.append(ext)
        }
        let throwaway = P256.Signing.PrivateKey()
        let made = try Certificate(version: issuer.version, serialNumber: issuer.serialNumber, publicKey: issuer.publicKey,
                                   notValidBefore: issuer.notValidBefore, notValidAfter: issuer.notValidAfter,
                                   issuer: issuer.issuer, subject: issuer.subject, signatureAlgorithm: .ecdsaWithSHA256,
                                   extensions: extensions, issuerPrivateKey: .init(throwaway))
        standIns.withLock { $0[der] = made }
        return made
    }
}
