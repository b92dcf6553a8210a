import _CryptoExtras
import Foundation
import SwiftASN1
import VerifierTestPKI
import X509

/// `openssl ocsp` as the issuing CA's responder on a free loopback port, with a delegated
/// responder certificate (`id-kp-OCSPSigning`, issued by the issuing CA, or by the foreign CA
/// for a responder nobody delegated), an `index.txt` naming the good and revoked serials,
/// and `-nmin 5` (responses valid 5 minutes). `-resp_text` prints each response it sends
/// (unbuffered, through `stdbuf -o0`), which `responsesSent` counts.
final class OCSPResponder: @unchecked Sendable {
    let pki: VerifierTestPKI
    let directory: URL
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/" }
    private var helper: HelperProcess?

    init(pki: VerifierTestPKI) throws {
        self.pki = pki
        port = try HelperProcess.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpsb-ocsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the responder and waits until it accepts connections.
    func start(good: [Certificate], revoked: [Certificate], foreignSigner: Bool = false) async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = try pki.ocspResponder(key: key, foreign: foreignSigner)
        try write("ca.pem", pem("CERTIFICATE", try VerifierTestPKI.der(pki.issuing)))
        try write("signer.pem", pem("CERTIFICATE", try VerifierTestPKI.der(signer)))
        try write("key.pem", key.pemRepresentation)
        let expiry = "351231235959Z", revokedAt = "250101000000Z"
        var index = ""
        for certificate in good { index += "V\t\(expiry)\t\t\(hex(certificate))\tunknown\t/CN=good\n" }
        for certificate in revoked { index += "R\t\(expiry)\t\(revokedAt),keyCompromise\t\(hex(certificate))\tunknown\t/CN=revoked\n" }
        try write("index.txt", index)
        // stdbuf -o0: each response printed at once (stdout to a file is block-buffered).
        helper = try HelperProcess("/usr/bin/stdbuf", [
            "-o0", "/usr/bin/openssl", "ocsp", "-port", String(port), "-index", file("index.txt"), "-CA", file("ca.pem"),
            "-rsigner", file("signer.pem"), "-rkey", file("key.pem"), "-nmin", "5", "-resp_text",
        ], log: directory.appendingPathComponent("log"))
        // Ready once it says so. Not by connecting to it: OpenSSL 3.0's responder serves one
        // connection at a time, and a probe that connects and closes without a request
        // leaves it stuck on that connection, answering nobody after it.
        let deadline = Date().addingTimeInterval(10)
        while !log().contains("waiting for OCSP client connections") {
            guard Date() < deadline else { throw HelperProcess.Failure("openssl ocsp did not start: \(log())") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// How many responses the responder has sent.
    var responsesSent: Int { log().components(separatedBy: "OCSP Response Data:").count - 1 }

    /// `responsesSent` once it reaches `count`, or after 2 s: openssl prints a response around
    /// the time it sends it, so the client may have it a moment before the log shows it.
    func responses(reaching count: Int) async throws -> Int {
        let deadline = Date().addingTimeInterval(2)
        while responsesSent < count, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return responsesSent
    }

    func log() -> String { helper?.output() ?? "" }

    func stop() { helper?.stop() }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }
    private func pem(_ type: String, _ der: [UInt8]) -> String { PEMDocument(type: type, derBytes: der).pemString }
    /// The serial as `openssl` writes it in an index: uppercase hex, whole bytes, no leading zero byte.
    private func hex(_ certificate: Certificate) -> String {
        let bytes = Array(certificate.serialNumber.bytes.drop { $0 == 0 })
        return bytes.isEmpty ? "00" : bytes.map { String(format: "%02X", $0) }.joined()
    }
}
