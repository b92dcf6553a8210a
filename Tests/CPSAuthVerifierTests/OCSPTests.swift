import BridgeProtocol
import CPSAuthVerifier
import CPSRevocationOCSP
import Foundation
import Testing
import VerifierTestPKI
import X509

/// OCSP against a real responder on loopback (`openssl ocsp`, `OCSPResponder`), through the
/// verifier, with CRLs where the policy falls back to them.
///
/// These tests use a PKI of their own whose issuing CA names an OCSP responder of its own
/// (a dead one, as real intermediates name their root's): swift-certificates' policy would
/// refuse the issuing CA as the top of the chain it checks, which `OCSPClient` works around.
/// The issuing CA's own status is not what these tests are about: the root is opted out.
@Suite("Revocation (OCSP)", .serialized, .timeLimit(.minutes(2)), .enabled(if: HelperProcess.available("openssl")))
struct OCSPTests {
    static let pki: VerifierTestPKI = {
        do { return try VerifierTestPKI(issuingOCSPURL: "http://127.0.0.1:9/root-ocsp") } catch { fatalError("\(error)") }
    }()
    var pki: VerifierTestPKI { Self.pki }
    let origin = Support.origin

    func verifier(_ client: OCSPClient?, _ policy: RevocationPolicy, crls: [CertificateRevocationList] = []) -> CPSAuthVerifier {
        CPSAuthVerifier(configuration: VerifierConfiguration(
            trustAnchors: [pki.root], intermediates: [pki.issuing], crls: crls, revocationNotCheckedFor: [.of(pki.root)],
            revocationPolicy: policy, ocsp: client,
            certificatePolicies: .anyOf([VerifierTestPKI.personalAuthenticationPolicy])))
    }

    @discardableResult
    func login(_ verifier: CPSAuthVerifier, _ certificate: Certificate, now: Date = Date()) async throws -> VerifiedAuthentication {
        let nonce = try await verifier.issueNonce(now: now)
        return try await verifier.verify(token: try pki.token(origin: origin, nonce: nonce, certificate: certificate),
                                         origin: origin, nonce: nonce, now: now)
    }

    /// The issuing CA's CRL, revoking `revoked`.
    func crl(revoking revoked: [Certificate] = []) throws -> CertificateRevocationList {
        try CertificateRevocationList(derEncoded: try CRLIssuer(issuer: pki.issuing.subject, key: pki.issuingKey).issue(
            entries: revoked.map { .init(serial: $0.serialNumber.bytes, date: pki.now.addingTimeInterval(-3600)) },
            thisUpdate: pki.now.addingTimeInterval(-3600), nextUpdate: pki.now.addingTimeInterval(86_400)))
    }

    /// A URL where nothing listens: a responder that is down.
    func deadURL() throws -> String { "http://127.0.0.1:\(try HelperProcess.freePort())/" }

    @Test("good by OCSP alone (no CRL), nonce required and echoed; the answer cached: a second login sends no request; revoked: certificateRevoked")
    func goodCachedRevoked() async throws {
        let responder = try OCSPResponder(pki: pki)
        let good = try pki.holder(ocspURL: responder.url), revoked = try pki.holder(ocspURL: responder.url)
        try await responder.start(good: [good], revoked: [revoked])
        let client = OCSPClient(settings: .init(timeout: .seconds(3), requireNonce: true))
        let verifier = verifier(client, .ocspOnly)

        try await login(verifier, good)
        #expect(try await responder.responses(reaching: 1) == 1, "\(responder.log())")
        try await login(verifier, good)
        #expect(try await responder.responses(reaching: 2) == 1, "the second login asked the responder again")
        #expect(client.requestsSent == 1)
        #expect(client.cachedCount == 1)

        let error = await Support.expectRefusal("certificateRevoked") { try await login(verifier, revoked) }
        #expect(error?.description.contains(revoked.serialNumber.description) == true, "\(String(describing: error))")
        #expect(try await responder.responses(reaching: 2) == 2)

        // Past the response's nextUpdate (5 minutes): asked again, and the new response, made
        // now, is stale at that time: revocationUnknown (swift-certificates alone would allow
        // 75 minutes of leeway).
        let later = Date().addingTimeInterval(6 * 60)
        let stale = await Support.expectRefusal("revocationUnknown") { try await login(verifier, good, now: later) }
        #expect(stale?.description.contains("stale") == true, "\(String(describing: stale))")
        #expect(try await responder.responses(reaching: 3) == 3)
        responder.stop()
    }

    @Test("responder down: no CRL gives revocationUnknown; a valid CRL is used under ocspThenCRL (accepted, or certificateRevoked), without waiting for the responder again")
    func responderDown() async throws {
        let holder = try pki.holder(ocspURL: try deadURL())
        let client = OCSPClient(settings: .init(timeout: .seconds(2)))
        let error = await Support.expectRefusal("revocationUnknown") { try await login(verifier(client, .ocspThenCRL), holder) }
        #expect(error?.description.contains("OCSP responder") == true, "\(String(describing: error))")
        // The responder failed: for retryDownResponderAfter (30 s) it is not asked again, so
        // the logins below fall back at once instead of each waiting the 2 s timeout.
        let start = ContinuousClock.now
        let again = await Support.expectRefusal("revocationUnknown") {
            try await login(verifier(client, .ocspOnly, crls: [try crl()]), holder)
        }
        #expect(again?.description.contains("not asked again") == true, "\(String(describing: again))")

        try await login(verifier(client, .ocspThenCRL, crls: [try crl()]), holder)
        try await login(verifier(client, .crlThenOCSP, crls: [try crl()]), holder)
        await Support.expectRefusal("certificateRevoked") {
            try await login(verifier(client, .ocspThenCRL, crls: [try crl(revoking: [holder])]), holder)
        }
        await Support.expectRefusal("certificateRevoked") {
            try await login(verifier(nil, .crlOnly, crls: [try crl(revoking: [holder])]), holder)
        }
        #expect(client.cachedCount == 0)
        #expect(client.requestsSent == 1)
        #expect(ContinuousClock.now - start < .seconds(1), "took \(ContinuousClock.now - start)")
    }

    @Test("a response signed by a responder the issuing CA did not delegate is refused: revocationUnknown, or the CRL under ocspThenCRL")
    func wrongSigner() async throws {
        let responder = try OCSPResponder(pki: pki)
        let holder = try pki.holder(ocspURL: responder.url)
        try await responder.start(good: [holder], revoked: [], foreignSigner: true)
        let client = OCSPClient(settings: .init(timeout: .seconds(3)))
        let error = await Support.expectRefusal("revocationUnknown") { try await login(verifier(client, .ocspOnly), holder) }
        #expect(error?.description.contains("refused") == true, "\(String(describing: error))")
        #expect(try await responder.responses(reaching: 1) == 1)
        await Support.expectRefusal("certificateRevoked") {
            try await login(verifier(client, .ocspThenCRL, crls: [try crl(revoking: [holder])]), holder)
        }
        #expect(client.cachedCount == 0)
        responder.stop()
    }

    @Test("status unknown to the responder, or no responder named: revocationUnknown; an override per issuer replaces the certificate's URL")
    func unknownAndOverride() async throws {
        let responder = try OCSPResponder(pki: pki)
        let listed = try pki.holder(ocspURL: try deadURL())
        try await responder.start(good: [listed], revoked: [])
        let client = OCSPClient(settings: .init(timeout: .seconds(3), responderOverrides: [.of(pki.issuing): responder.url]))
        try await login(verifier(client, .ocspOnly), listed)

        let unlisted = try pki.holder(ocspURL: responder.url)
        let unknown = await Support.expectRefusal("revocationUnknown") { try await login(verifier(client, .ocspOnly), unlisted) }
        #expect(unknown?.description.contains("unknown") == true, "\(String(describing: unknown))")
        let none = await Support.expectRefusal("revocationUnknown") { try await login(verifier(client, .ocspOnly), try pki.holder()) }
        #expect(none?.description.contains("names no OCSP responder") == true, "\(String(describing: none))")
        responder.stop()
    }

    @Test("a responder that accepts and never answers: revocationUnknown within the timeout")
    func silentResponder() async throws {
        let port = try HelperProcess.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpsb-silent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let silent = try HelperProcess("/usr/bin/python3", ["-c", """
            import socket, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(8)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """], log: directory.appendingPathComponent("log"))
        defer { silent.stop() }
        try await HelperProcess.waitForListener(port: port)
        let holder = try pki.holder(ocspURL: "http://127.0.0.1:\(port)/")
        let client = OCSPClient(settings: .init(timeout: .seconds(1)))
        let start = ContinuousClock.now
        let error = await Support.expectRefusal("revocationUnknown") { try await login(verifier(client, .ocspOnly), holder) }
        #expect(ContinuousClock.now - start < .seconds(5), "took \(ContinuousClock.now - start)")
        #expect(error?.description.contains("OCSP responder") == true, "\(String(describing: error))")
    }
}
