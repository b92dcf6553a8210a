import CardTestBed
import CPSAuthVerifier
import Foundation
import Testing

/// The federator's verifier for the simulated card's test PKI, in the PSC profile but for the
/// certificate policy (the simulator's certificate carries none): the test CAs' current CRLs
/// are made with `openssl ca -gencrl` from the keys the simulator keeps in its state folder,
/// so that revocation status is established as in production.
enum SimulatedCardVerifier {
    static func make(_ card: SimulatedCard) throws -> CPSAuthVerifier {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("card-crls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var crls: [CertificateRevocationList] = []
        for name in ["root-ca", "issuing-ca"] {
            let base = directory.appendingPathComponent(name).path
            try "".write(toFile: base + ".index", atomically: true, encoding: .utf8)
            try "[ca]\ndefault_ca = t\n[t]\ndatabase = \(base).index\ndefault_md = sha256\ndefault_crl_days = 1\n"
                .write(toFile: base + ".cnf", atomically: true, encoding: .utf8)
            let ca = card.stateDirectory.appendingPathComponent(name).path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["ca", "-gencrl", "-batch", "-config", base + ".cnf", "-cert", ca + ".pem", "-keyfile", ca + ".key",
                                 "-out", base + ".crl"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "openssl ca -gencrl for \(name)")
            crls.append(try VerifierConfiguration.crl(fromFile: base + ".crl"))
        }
        return CPSAuthVerifier(configuration: .init(
            trustAnchors: try VerifierConfiguration.certificates(fromPEMFile: card.rootCAPath),
            intermediates: try VerifierConfiguration.certificates(fromPEMFile: card.issuingCAPath),
            crls: crls, certificatePolicies: .notChecked))
    }
}
