import ChildProcesses
import _CryptoExtras
import Foundation
import SwiftASN1
import VerifierTestPKI
import X509
#if canImport(Glibc)
import Glibc
#endif

/// `openssl ocsp` for the bench's test PKI on a free loopback port: the issuing CA's
/// delegated responder, answering `good` for the given certificates, responses valid
/// 5 minutes (`-nmin 5`). Killed with the bench (`tieToThisProcess`) or by `stop()`.
final class BenchOCSPResponder {
    let port: Int
    let directory: String
    private let process: SpawnedProcess
    private let guardian: SpawnedProcess
    var url: String { "http://127.0.0.1:\(port)/" }

    init(pki: VerifierTestPKI, good: [Certificate], port: Int) throws {
        self.port = port
        directory = NSTemporaryDirectory() + "cps-bench-ocsp-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = try pki.ocspResponder(key: key)
        func pem(_ certificate: Certificate) throws -> String {
            PEMDocument(type: "CERTIFICATE", derBytes: try VerifierTestPKI.der(certificate)).pemString
        }
        try pem(pki.issuing).write(toFile: directory + "/ca.pem", atomically: true, encoding: .utf8)
        try pem(signer).write(toFile: directory + "/signer.pem", atomically: true, encoding: .utf8)
        try key.pemRepresentation.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        let index = good.map { certificate in
            let serial = certificate.serialNumber.bytes.drop { $0 == 0 }.map { String(format: "%02X", $0) }.joined()
            return "V\t351231235959Z\t\t\(serial)\tunknown\t/CN=bench\n"
        }.joined()
        try index.write(toFile: directory + "/index.txt", atomically: true, encoding: .utf8)
        process = try SpawnedProcess(["/usr/bin/openssl", "ocsp", "-port", String(port), "-index", directory + "/index.txt",
                                      "-CA", directory + "/ca.pem", "-rsigner", directory + "/signer.pem",
                                      "-rkey", directory + "/key.pem", "-nmin", "5"], logPath: directory + "/log")
        guardian = try tieToThisProcess(process.pid)
    }

    func stop() {
        process.stop(SIGKILL)
        guardian.stop(SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A TCP port free on 127.0.0.1 now.
    static func freePort() throws -> Int {
        try LoopbackPorts.free()
    }
}
