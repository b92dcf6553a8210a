import BridgeProtocol
import CPSAuthVerifier
import Foundation
import SwiftASN1
import Testing
import VerifierTestPKI
import X509

/// CRLs issued with swift-asn1 by the test CA: parsed, checked, and applied.
@Suite("Revocation (CRL)")
struct RevocationTests {
    let pki = Support.pki
    let origin = Support.origin
    var issuer: CRLIssuer { CRLIssuer(issuer: pki.issuing.subject, key: pki.issuingKey) }

    /// A current CRL of the issuing CA revoking `serials` (plus `filler` random ones).
    func crl(revoking serials: [ArraySlice<UInt8>] = [], filler: Int = 0, thisUpdate: Date? = nil, nextUpdate: Date?? = nil, tamper: Bool = false) throws -> CertificateRevocationList {
        var entries = serials.map { CRLIssuer.Entry(serial: $0, date: pki.now.addingTimeInterval(-3600), reason: 1) }
        for _ in 0..<filler {
            entries.append(.init(serial: ArraySlice((0..<16).map { _ in UInt8.random(in: 1...127) }), date: pki.now.addingTimeInterval(-7200)))
        }
        let der = try issuer.issue(entries: entries, thisUpdate: thisUpdate ?? pki.now.addingTimeInterval(-3600),
                                   nextUpdate: nextUpdate ?? pki.now.addingTimeInterval(7 * 86_400), tamper: tamper)
        return try CertificateRevocationList(derEncoded: der)
    }

    /// A verifier with `crls` (and the root's current CRL unless told otherwise), a nonce
    /// and a token for it.
    func attempt(_ crls: [CertificateRevocationList], withRootCRL: Bool = true, certificate: Certificate? = nil,
                 now: Date? = nil,
                 configure: (inout VerifierConfiguration) -> Void = { _ in }) async throws -> (CPSAuthVerifier, AuthenticationToken, String) {
        let verifier = Support.verifier(crls: crls + (withRootCRL ? [Support.rootCRL] : []), configure: configure)
        let nonce = try await verifier.issueNonce(now: now ?? Date())
        return (verifier, try pki.token(origin: origin, nonce: nonce, certificate: certificate), nonce)
    }

    @Test("an issued CRL parses back: issuer, dates, entries, reason, number")
    func parse() throws {
        let serial = pki.holder.serialNumber.bytes
        let thisUpdate = Date(timeIntervalSince1970: 1_790_000_000)
        let der = try issuer.issue(entries: [.init(serial: serial, date: thisUpdate.addingTimeInterval(-60), reason: 1)],
                                   thisUpdate: thisUpdate, nextUpdate: thisUpdate.addingTimeInterval(86_400), crlNumber: 42)
        let crl = try CertificateRevocationList(derEncoded: der)
        #expect(crl.issuer == pki.issuing.subject)
        #expect(crl.thisUpdate == thisUpdate)
        #expect(crl.nextUpdate == thisUpdate.addingTimeInterval(86_400))
        #expect(crl.crlNumber == [42])
        #expect(crl.signatureAlgorithm == .sha256WithRSAEncryption)
        #expect(crl.revokedCertificates.count == 1)
        let entry = try #require(crl.entry(for: pki.holder.serialNumber))
        #expect(entry.revocationDate == thisUpdate.addingTimeInterval(-60))
        #expect(entry.reason == .keyCompromise)
        #expect(crl.isSignatureValid(issuer: pki.issuing))
        #expect(!crl.isSignatureValid(issuer: pki.root))
        // PEM too.
        let pem = PEMDocument(type: "X509 CRL", derBytes: der).pemString
        #expect(try CertificateRevocationList(bytes: Array(pem.utf8)) == crl)
    }

    @Test("openssl reads our CRL and verifies its signature with the CA certificate")
    func opensslAgrees() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let der = try issuer.issue(entries: [.init(serial: pki.holder.serialNumber.bytes, date: pki.now, reason: 1)],
                                   thisUpdate: pki.now, nextUpdate: pki.now.addingTimeInterval(86_400))
        try Data(der).write(to: directory.appendingPathComponent("crl.der"))
        let ca = PEMDocument(type: "CERTIFICATE", derBytes: try VerifierTestPKI.der(pki.issuing)).pemString
        try ca.write(to: directory.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["crl", "-inform", "DER", "-in", directory.appendingPathComponent("crl.der").path,
                             "-CAfile", directory.appendingPathComponent("ca.pem").path, "-noout", "-text"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("verify OK"), "\(text)")
        #expect(text.contains("Key Compromise"), "\(text)")
        let serialHex = pki.holder.serialNumber.bytes.map { String(format: "%02X", $0) }.joined()
        #expect(text.replacingOccurrences(of: ":", with: "").uppercased().contains(serialHex.drop { $0 == "0" }), "\(text)")
    }

    @Test("bytes that are not a CRL are refused when loading")
    func garbage() throws {
        #expect(throws: CRLParsingError.self) { try CertificateRevocationList(derEncoded: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: CRLParsingError.self) { try CertificateRevocationList(derEncoded: Array("hello".utf8)) }
        #expect(throws: CRLParsingError.self) { try CertificateRevocationList(derEncoded: try VerifierTestPKI.der(pki.holder)) }
    }

    @Test("delta, partitioned, indirect and unknown critical extensions are refused when loading", arguments: [
        Certificate.Extension(oid: [2, 5, 29, 27], critical: true, value: [0x02, 0x01, 0x01]),    // deltaCRLIndicator
        Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x03, 0x84, 0x01, 0xFF]),  // IDP indirectCRL
        // IDP distributionPoint fullName URI "http://x/": partitioned by distribution point.
        Certificate.Extension(oid: [2, 5, 29, 28], critical: true,
                              value: [0x30, 0x0D, 0xA0, 0x0B, 0xA0, 0x09, 0x86, 0x07, 0x68, 0x74, 0x74, 0x70, 0x3A, 0x2F, 0x2F]),
        Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x04, 0x83, 0x02, 0x06, 0x40]),  // IDP onlySomeReasons
        Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x03, 0x85, 0x01, 0xFF]),  // IDP attribute certs
        Certificate.Extension(oid: [2, 5, 29, 28], critical: true,
                              value: [0x30, 0x06, 0x81, 0x01, 0xFF, 0x82, 0x01, 0xFF]),  // IDP users and CAs both
        Certificate.Extension(oid: [1, 2, 3, 4], critical: true, value: [0x05, 0x00]),
    ])
    func unsupportedExtensions(ext: Certificate.Extension) throws {
        let der = try issuer.issue(entries: [], thisUpdate: pki.now, nextUpdate: pki.now.addingTimeInterval(86_400), extensions: [ext])
        #expect(throws: CRLParsingError.self) { try CertificateRevocationList(derEncoded: der) }
        // Not critical and unknown: ignored.
        let lenient = try issuer.issue(entries: [], thisUpdate: pki.now, nextUpdate: pki.now.addingTimeInterval(86_400),
                                       extensions: [Certificate.Extension(oid: [1, 2, 3, 4], critical: false, value: [0x05, 0x00])])
        #expect(try CertificateRevocationList(derEncoded: lenient).revokedCertificates.isEmpty)
    }

    @Test("a revoked certificate: certificateRevoked")
    func revoked() async throws {
        let crl = try crl(revoking: [pki.holder.serialNumber.bytes], filler: 10)
        let (verifier, token, nonce) = try await attempt([crl])
        let error = await Support.expectRefusal("certificateRevoked") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        #expect(error == .certificateRevoked(serialNumber: pki.holder.serialNumber.description, revokedAt: crl.entry(for: pki.holder.serialNumber)!.revocationDate))
    }

    @Test("a certificate absent from a current CRL of 1000 entries is accepted")
    func notRevoked() async throws {
        let (verifier, token, nonce) = try await attempt([try crl(filler: 1000)])
        _ = try await verifier.verify(token: token, origin: origin, nonce: nonce)
    }

    @Test("the most recent of two CRLs of one issuer is the one used")
    func newestWins() async throws {
        let old = try crl(thisUpdate: pki.now.addingTimeInterval(-86_400 * 8), nextUpdate: pki.now.addingTimeInterval(-86_400))
        let current = try crl(revoking: [pki.holder.serialNumber.bytes])
        let (verifier, token, nonce) = try await attempt([old, current])
        await Support.expectRefusal("certificateRevoked") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a CRL past its nextUpdate counts as no CRL: revocationUnknown")
    func staleCRL() async throws {
        let stale = try crl(thisUpdate: pki.now.addingTimeInterval(-8 * 86_400), nextUpdate: pki.now.addingTimeInterval(-86_400))
        let (verifier, token, nonce) = try await attempt([stale])
        let error = await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        #expect(error?.description.contains("stale") == true, "\(String(describing: error))")
    }

    @Test("a CRL whose signature does not verify is ignored: revocationUnknown")
    func badSignature() async throws {
        let (verifier, token, nonce) = try await attempt([try crl(tamper: true)])
        await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    /// A CRL naming the issuing CA, signed by the foreign key.
    func forged(revoking serials: [ArraySlice<UInt8>] = [], thisUpdate: Date) throws -> CertificateRevocationList {
        let der = try CRLIssuer(issuer: pki.issuing.subject, key: pki.foreignKey)
            .issue(entries: serials.map { .init(serial: $0, date: thisUpdate) }, thisUpdate: thisUpdate,
                   nextUpdate: pki.now.addingTimeInterval(86_400), crlNumber: 99)
        return try CertificateRevocationList(derEncoded: der)
    }

    @Test("a CRL naming the issuing CA but signed by another key is ignored: revocationUnknown")
    func signedByAnotherKey() async throws {
        let (verifier, token, nonce) = try await attempt([try forged(thisUpdate: pki.now.addingTimeInterval(-60))])
        await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a forged CRL newer than the valid one is ignored, the valid one is used (it revokes: refused)")
    func forgedNewerDoesNotHideRevocation() async throws {
        let valid = try crl(revoking: [pki.holder.serialNumber.bytes])
        let (verifier, token, nonce) = try await attempt([valid, try forged(thisUpdate: pki.now.addingTimeInterval(-60))])
        await Support.expectRefusal("certificateRevoked") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }

    @Test("a forged CRL newer than the valid one cannot revoke: the valid one is used (it does not: accepted)")
    func forgedNewerDoesNotRevoke() async throws {
        let forgedCRL = try forged(revoking: [pki.holder.serialNumber.bytes], thisUpdate: pki.now.addingTimeInterval(-60))
        let (verifier, token, nonce) = try await attempt([try crl(), forgedCRL])
        _ = try await verifier.verify(token: token, origin: origin, nonce: nonce)
    }

    @Test("of two valid CRLs of one issuer, the newer is used")
    func newerValidWins() async throws {
        let older = try crl(revoking: [pki.holder.serialNumber.bytes], thisUpdate: pki.now.addingTimeInterval(-7200))
        let newer = try crl(thisUpdate: pki.now.addingTimeInterval(-60))
        let (verifier, token, nonce) = try await attempt([older, newer])
        _ = try await verifier.verify(token: token, origin: origin, nonce: nonce)
    }

    @Test("a CRL without nextUpdate, or not yet valid, is ignored: revocationUnknown")
    func unusableDates() async throws {
        for crl in [try crl(nextUpdate: .some(nil)), try crl(thisUpdate: Date().addingTimeInterval(3600))] {
            let (verifier, token, nonce) = try await attempt([crl])
            await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        }
    }

    @Test("no CRL for the issuing CA, or none at all: revocationUnknown (fail closed)")
    func noCRL() async throws {
        for withRoot in [true, false] {
            let (verifier, token, nonce) = try await attempt([], withRootCRL: withRoot)
            await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        }
        // The holder's status is established but not the issuing CA's (no root CRL).
        let (verifier, token, nonce) = try await attempt([try crl()], withRootCRL: false)
        let error = await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        #expect(error?.description.contains("CPS-BRIDGE TEST ROOT CA") == true, "\(String(describing: error))")
    }

    @Test("issuers opted out explicitly (by subject, by SKI) are not checked; the others still are")
    func optOut() async throws {
        let rootSKI = Array(try #require(try pki.root.extensions.subjectKeyIdentifier).keyIdentifier)
        var (verifier, token, nonce) = try await attempt([], withRootCRL: false) {
            $0.revocationNotCheckedFor = [.of(pki.issuing), .subjectKeyIdentifier(rootSKI)]
        }
        let login = try await verifier.verify(token: token, origin: origin, nonce: nonce)
        #expect(login.revocationNotCheckedFor == [pki.issuing.subject, pki.root.subject])
        // Only the issuing CA opted out: the root's CRL is still required for the issuing CA.
        (verifier, token, nonce) = try await attempt([], withRootCRL: false) { $0.revocationNotCheckedFor = [.of(pki.issuing)] }
        await Support.expectRefusal("revocationUnknown") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
        // With every CRL, nothing was opted out.
        (verifier, token, nonce) = try await attempt([try crl()])
        #expect(try await verifier.verify(token: token, origin: origin, nonce: nonce).revocationNotCheckedFor.isEmpty)
    }

    @Test("a CRL of another issuer does not apply")
    func otherIssuer() async throws {
        let rootCRL = try CRLIssuer(issuer: pki.root.subject, key: pki.rootKey)
            .issue(entries: [.init(serial: pki.holder.serialNumber.bytes, date: pki.now)],
                   thisUpdate: pki.now.addingTimeInterval(-60), nextUpdate: pki.now.addingTimeInterval(86_400))
        let (verifier, token, nonce) = try await attempt([try crl(), try CertificateRevocationList(derEncoded: rootCRL)], withRootCRL: false)
        _ = try await verifier.verify(token: token, origin: origin, nonce: nonce)
    }

    @Test("the root's CRL revoking the issuing CA refuses its holders: certificateRevoked")
    func revokedIntermediate() async throws {
        let rootCRL = try CRLIssuer(issuer: pki.root.subject, key: pki.rootKey)
            .issue(entries: [.init(serial: pki.issuing.serialNumber.bytes, date: pki.now.addingTimeInterval(-60))],
                   thisUpdate: pki.now.addingTimeInterval(-60), nextUpdate: pki.now.addingTimeInterval(86_400))
        let (verifier, token, nonce) = try await attempt([try crl(), try CertificateRevocationList(derEncoded: rootCRL)], withRootCRL: false)
        await Support.expectRefusal("certificateRevoked") { _ = try await verifier.verify(token: token, origin: origin, nonce: nonce) }
    }
}
