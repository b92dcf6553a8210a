import BridgeProtocol
import CPSAuthVerifier
import CPSRevocationOCSP
import Foundation
import Testing
import VerifierTestPKI
import X509

/// CRLs reloaded from a file and from a URL on loopback (`python3 -m http.server`) into a
/// `CRLStore` a verifier reads: a failed fetch or a bad CRL never drops the CRL in use; a
/// newer valid one replaces it.
@Suite("CRL reload", .serialized, .timeLimit(.minutes(1)))
struct CRLReloadTests {
    let pki = Support.pki
    let origin = Support.origin

    func crlDER(thisUpdate offset: TimeInterval, nextUpdate: TimeInterval = 86_400, revoking: Bool = false,
                forged: Bool = false) throws -> [UInt8] {
        let issuer = CRLIssuer(issuer: pki.issuing.subject, key: forged ? pki.foreignKey : pki.issuingKey)
        let entries = revoking ? [CRLIssuer.Entry(serial: pki.holder.serialNumber.bytes, date: pki.now.addingTimeInterval(-7200))] : []
        return try issuer.issue(entries: entries, thisUpdate: pki.now.addingTimeInterval(offset),
                                nextUpdate: pki.now.addingTimeInterval(nextUpdate))
    }

    /// A verifier reading `store` for the issuing CA (the root's CRL configured as usual).
    func login(_ store: CRLStore) async throws {
        let verifier = Support.verifier(crls: [Support.rootCRL]) { $0.crlStore = store }
        let nonce = try await verifier.issueNonce()
        _ = try await verifier.verify(token: try pki.token(origin: origin, nonce: nonce), origin: origin, nonce: nonce)
    }

    func temporaryDirectory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpsb-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("from a file: installed; kept through a missing file, garbage, a forged, a stale and an older CRL; replaced by a newer valid one")
    func fromFile() async throws {
        let directory = try temporaryDirectory("crl-reload")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("issuing.crl")
        let store = CRLStore(authorities: [pki.root, pki.issuing])
        let reloader = CRLReloader(store: store, sources: [.file(file.path)])
        await #expect(throws: TokenVerificationError.self) { try await login(store) }      // nothing held yet

        let first = try crlDER(thisUpdate: -3600)
        try Data(first).write(to: file)
        #expect(await reloader.reloadOnce() == [.success(.installed)])
        try await login(store)
        let current = try CertificateRevocationList(derEncoded: first)

        try FileManager.default.removeItem(at: file)
        guard case .failure(.unreadable) = await reloader.reloadOnce().first else { Issue.record("a missing file was read"); return }
        try Data("not a CRL".utf8).write(to: file)
        guard case .failure(.unparsable) = await reloader.reloadOnce().first else { Issue.record("garbage was parsed"); return }
        try Data(try crlDER(thisUpdate: -60, revoking: true, forged: true)).write(to: file)
        guard case .success(.rejected) = await reloader.reloadOnce().first else { Issue.record("a forged CRL was taken"); return }
        try Data(try crlDER(thisUpdate: -60, nextUpdate: -30, revoking: true)).write(to: file)
        guard case .success(.rejected) = await reloader.reloadOnce().first else { Issue.record("a stale CRL was taken"); return }
        try Data(try crlDER(thisUpdate: -7200, revoking: true)).write(to: file)
        #expect(await reloader.reloadOnce() == [.success(.older)])
        #expect(store.current(for: pki.issuing.subject) == current)
        try await login(store)

        try Data(try crlDER(thisUpdate: -60, revoking: true)).write(to: file)
        #expect(await reloader.reloadOnce() == [.success(.installed)])
        await Support.expectRefusal("certificateRevoked") { try await login(store) }
    }

    @Test("from a URL on loopback; the server gone, the CRL in use stays and logins go on", .enabled(if: HelperProcess.available("python3")))
    func fromURL() async throws {
        let directory = try temporaryDirectory("crl-http")
        defer { try? FileManager.default.removeItem(at: directory) }
        let served = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let der = try crlDER(thisUpdate: -3600)
        try Data(der).write(to: served.appendingPathComponent("issuing.crl"))
        let port = try HelperProcess.freePort()
        let server = try HelperProcess("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", "--directory", served.path,
                                                            String(port)], log: directory.appendingPathComponent("log"))
        defer { server.stop() }
        try await HelperProcess.waitForListener(port: port)

        let store = CRLStore(authorities: [pki.root, pki.issuing])
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/issuing.crl"))
        let missing = try #require(URL(string: "http://127.0.0.1:\(port)/nothing.crl"))
        let reloader = CRLReloader(store: store, sources: [.url(url), .url(missing)], timeout: .seconds(3),
                                   fetch: RevocationHTTP.fetcher())
        let results = await reloader.reloadOnce()
        #expect(results.first == .success(.installed), "\(results) \(server.output())")
        guard case .failure(.unreadable(let why)) = results.last else { Issue.record("a 404 was read: \(results)"); return }
        #expect(why.contains("404"))
        try await login(store)

        server.stop()
        guard case .failure = await reloader.reloadOnce().first else { Issue.record("a fetch from a stopped server succeeded"); return }
        #expect(store.current(for: pki.issuing.subject) == (try CertificateRevocationList(derEncoded: der)))
        try await login(store)
    }

    @Test("run() reloads on its schedule until cancelled")
    func schedule() async throws {
        let directory = try temporaryDirectory("crl-schedule")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("issuing.crl")
        try Data(try crlDER(thisUpdate: -3600)).write(to: file)
        let store = CRLStore(authorities: [pki.root, pki.issuing])
        let reloader = CRLReloader(store: store, sources: [.file(file.path)], interval: .milliseconds(50))
        let task = Task { await reloader.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        try Data(try crlDER(thisUpdate: -60, revoking: true)).write(to: file)
        var revoked = false
        for _ in 0..<100 where !revoked {
            try await Task.sleep(for: .milliseconds(20))
            revoked = store.current(for: pki.issuing.subject)?.entry(for: pki.holder.serialNumber) != nil
        }
        #expect(revoked)
    }
}
