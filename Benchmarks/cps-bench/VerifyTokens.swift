import ArgumentParser
import BridgeProtocol
import CPSAuthVerifier
import CPSRevocationOCSP
import Crypto
import _CryptoExtras
import Foundation
import VerifierTestPKI
import X509

/// The federator's cost per login: `CPSAuthVerifier.verify(tokenJSON:...)` on one task,
/// sequentially, with no CRL, with a CRL of `--crl-entries` entries, and with OCSP from a
/// real `openssl ocsp` on loopback whose answer is cached (the steady state: one request per
/// certificate per `nextUpdate`). No card involved. With `--postgres URL` (default:
/// `CPSB_POSTGRES_URL`, set by scripts/with-postgres.sh), then the nonce store's share,
/// concurrently: one node with the memory store, one node with PostgreSQL, two nodes sharing
/// it (SharedStoreBench).
struct VerifyTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Time CPSAuthVerifier token verifications (one task, sequential): no CRL, a CRL, OCSP (cached); then with a shared PostgreSQL nonce store.")

    @Option(help: "Verifications timed per series.") var count = 2000
    @Option(help: "Untimed verifications per series first.") var warmup = 100
    @Option(help: "Entries in the CRL of the second series (the holder is not among them).") var crlEntries = 1000
    @Option(help: "PostgreSQL URL for the shared-store series (default: $CPSB_POSTGRES_URL; none: those series are skipped).")
    var postgres: String?
    @Option(help: "Verifications in flight per node in the shared-store series (also each node's pool size).")
    var concurrency = 16

    func validate() throws {
        guard count >= 1, warmup >= 0, crlEntries >= 0, concurrency >= 1 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        printHeader("verify")
        let origin = "https://auth.esw.esante.gouv.fr"
        let (pki, setup) = try timed { try VerifierTestPKI() }
        var filler: [CRLIssuer.Entry] = []
        for _ in 0..<crlEntries {
            filler.append(.init(serial: ArraySlice((0..<16).map { _ in UInt8.random(in: 1...127) }), date: pki.now.addingTimeInterval(-3600), reason: 1))
        }
        let crlDER = try CRLIssuer(issuer: pki.issuing.subject, key: pki.issuingKey)
            .issue(entries: filler, thisUpdate: pki.now.addingTimeInterval(-3600), nextUpdate: pki.now.addingTimeInterval(86_400))
        let (crl, crlParse) = try timed { try CertificateRevocationList(derEncoded: crlDER) }
        print("setup: test PKI (4 RSA-2048 keys) \(ms(milliseconds(setup))) ms; CRL of \(crlEntries) entries, \(crlDER.count) bytes, parsed in \(ms(milliseconds(crlParse))) ms")

        // The PSC profile over the test PKI (its policy). "No CRL": both CAs opted out of
        // revocation explicitly; "CRL": the issuing CA's CRL, and the root's (empty) one.
        let policies = CertificatePolicyRequirement.anyOf([VerifierTestPKI.personalAuthenticationPolicy])
        let rootCRL = try CertificateRevocationList(derEncoded: try pki.currentCRLs()[0])
        let plain = CPSAuthVerifier(configuration: .init(trustAnchors: [pki.root], intermediates: [pki.issuing],
                                                         revocationNotCheckedFor: [.of(pki.root), .of(pki.issuing)],
                                                         certificatePolicies: policies))
        let withCRL = CPSAuthVerifier(configuration: .init(trustAnchors: [pki.root], intermediates: [pki.issuing], crls: [crl, rootCRL],
                                                           certificatePolicies: policies))
        // OCSP: a holder certificate naming the responder; the holder's status by OCSP
        // (`.ocspThenCRL`, the default), the issuing CA's by the root's CRL (it names no responder).
        let ocspPort = try BenchOCSPResponder.freePort()
        let ocspHolder = try pki.holder(ocspURL: "http://127.0.0.1:\(ocspPort)/")
        let responder = try BenchOCSPResponder(pki: pki, good: [ocspHolder], port: ocspPort)
        defer { responder.stop() }
        let ocspClient = OCSPClient(settings: .init(timeout: .seconds(3)))
        let withOCSP = CPSAuthVerifier(configuration: .init(trustAnchors: [pki.root], intermediates: [pki.issuing], crls: [rootCRL],
                                                            revocationPolicy: .ocspThenCRL, ocsp: ocspClient,
                                                            certificatePolicies: policies))
        let ready = ContinuousClock.now
        var first = await ocspClient.status(of: ocspHolder, issuer: pki.issuing, now: Date())
        while first != .good, ContinuousClock.now - ready < .seconds(10) {
            try await Task.sleep(for: .milliseconds(50))
            first = await ocspClient.status(of: ocspHolder, issuer: pki.issuing, now: Date())
        }
        guard first == .good else { throw BenchError("openssl ocsp did not answer good: \(first)") }
        print("OCSP: first answer (uncached, responder on loopback) after \(ContinuousClock.now - ready)")

        // Nonces issued and tokens signed ahead (one per verification: a nonce is single use).
        func tokens(_ verifier: CPSAuthVerifier, _ n: Int, certificate: Certificate? = nil) async throws -> [(Data, String)] {
            var out: [(Data, String)] = []
            for _ in 0..<n {
                let nonce = try await verifier.issueNonce()
                out.append((try JSONEncoder().encode(try pki.token(origin: origin, nonce: nonce, certificate: certificate)), nonce))
            }
            return out
        }
        let total = warmup + count
        let plainTokens = try await tokens(plain, total)
        let crlTokens = try await tokens(withCRL, total)
        let ocspTokens = try await tokens(withOCSP, total, certificate: ocspHolder)
        print("token JSON: \(plainTokens[0].0.count) bytes")

        // The series interleaved token by token, so that all see the same machine load.
        var plainTimes = Samples(), crlTimes = Samples(), ocspTimes = Samples(), rsaTimes = Samples()
        let clock = ContinuousClock()
        let key = pki.holderKey.publicKey
        let digest = SHA256.hash(data: Data("bench".utf8))
        let signature = try pki.holderKey.signature(for: digest, padding: .insecurePKCS1v1_5)
        for i in 0..<total {
            var start = clock.now
            _ = try await plain.verify(tokenJSON: plainTokens[i].0, origin: origin, nonce: plainTokens[i].1)
            let plainElapsed = clock.now - start
            start = clock.now
            _ = try await withCRL.verify(tokenJSON: crlTokens[i].0, origin: origin, nonce: crlTokens[i].1)
            let crlElapsed = clock.now - start
            start = clock.now
            _ = try await withOCSP.verify(tokenJSON: ocspTokens[i].0, origin: origin, nonce: ocspTokens[i].1)
            let ocspElapsed = clock.now - start
            start = clock.now
            guard key.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5) else { throw BenchError("RSA verify failed") }
            let rsaElapsed = clock.now - start
            if i >= warmup {
                plainTimes.append(plainElapsed)
                crlTimes.append(crlElapsed)
                ocspTimes.append(ocspElapsed)
                rsaTimes.append(rsaElapsed)
            }
        }
        func throughput(_ samples: Samples) -> String {
            String(format: "%.0f", Double(samples.count) / (samples.values.reduce(0, +) / 1000))
        }
        print("verify, no CRL:            \(plainTimes.summary)  \(throughput(plainTimes)) tokens/s")
        print("verify, CRL \(crlEntries) entries:  \(crlTimes.summary)  \(throughput(crlTimes)) tokens/s")
        print("verify, OCSP (cached):     \(ocspTimes.summary)  \(throughput(ocspTimes)) tokens/s")
        print("OCSP requests sent: \(ocspClient.requestsSent) (the first answer, then the cache)")
        print("one RSA-2048 verify alone: \(rsaTimes.summary)")
        print(String(format: "ratios (medians): with CRL / without %.2f; without CRL / one RSA verify %.1f",
                     crlTimes.median / plainTimes.median, plainTimes.median / rsaTimes.median))

        guard let url = postgres ?? ProcessInfo.processInfo.environment["CPSB_POSTGRES_URL"] else {
            print("shared store: skipped (no --postgres URL nor CPSB_POSTGRES_URL; scripts/with-postgres.sh sets it)")
            return
        }
        try await SharedStoreBench(pki: pki, origin: origin, configuration: withCRL.configuration, url: url,
                                   count: count, warmup: warmup, concurrency: concurrency).run()
    }

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }
}
