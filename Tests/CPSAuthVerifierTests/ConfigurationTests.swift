import CPSAuthVerifier
import Foundation
import SwiftASN1
import Testing
import VerifierTestPKI
import X509

/// Loading anchors, intermediates and CRLs from files.
@Suite("Configuration files")
struct ConfigurationTests {
    let pki = Support.pki

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("verifier-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a PEM file with several certificates, a DER file, a PEM and a DER CRL")
    func files() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pem = try [pki.root, pki.issuing].map { PEMDocument(type: "CERTIFICATE", derBytes: try VerifierTestPKI.der($0)).pemString }
            .joined(separator: "\n")
        try pem.write(to: directory.appendingPathComponent("cas.pem"), atomically: true, encoding: .utf8)
        try Data(try VerifierTestPKI.der(pki.root)).write(to: directory.appendingPathComponent("root.der"))
        let crl = try CRLIssuer(issuer: pki.issuing.subject, key: pki.issuingKey)
            .issue(entries: [], thisUpdate: pki.now, nextUpdate: pki.now.addingTimeInterval(86_400))
        try Data(crl).write(to: directory.appendingPathComponent("ca.crl"))
        try PEMDocument(type: "X509 CRL", derBytes: crl).pemString
            .write(to: directory.appendingPathComponent("ca.crl.pem"), atomically: true, encoding: .utf8)

        #expect(try VerifierConfiguration.certificates(fromPEMFile: directory.appendingPathComponent("cas.pem").path) == [pki.root, pki.issuing])
        #expect(try VerifierConfiguration.certificates(fromPEMFile: directory.appendingPathComponent("root.der").path) == [pki.root])
        let fromDER = try VerifierConfiguration.crl(fromFile: directory.appendingPathComponent("ca.crl").path)
        let fromPEM = try VerifierConfiguration.crl(fromFile: directory.appendingPathComponent("ca.crl.pem").path)
        #expect(fromDER == fromPEM)
        #expect(fromDER.issuer == pki.issuing.subject)
    }

    @Test("a missing file, or one without a certificate, is a ConfigurationError")
    func errors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ConfigurationError.unreadable("/nonexistent/roots.pem")) {
            try VerifierConfiguration.certificates(fromPEMFile: "/nonexistent/roots.pem")
        }
        let junk = directory.appendingPathComponent("junk.pem")
        try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(to: junk, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try VerifierConfiguration.certificates(fromPEMFile: junk.path) }
        #expect(throws: ConfigurationError.self) { try VerifierConfiguration.crl(fromFile: junk.path) }
    }
}
