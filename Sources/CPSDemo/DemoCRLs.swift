import Foundation

/// The demo's CRLs: the simulated card's test CAs (root and issuing CA, whose keys the
/// simulator keeps in its state folder) each publish a current CRL, made with `openssl ca
/// -gencrl`, so that the demo federator establishes revocation status as a production one
/// must (revocation is required by the verifier's PSC profile), rather than opting out.
///
/// Files, in `<state>/crl/`: `<ca>.cnf`, `<ca>.index` (empty: nothing revoked),
/// `<ca>.crlnumber`, and the CRLs `<ca>.crl.pem` (valid 7 days from now).
public enum DemoCRLs {
    /// The test CAs, as the simulator names their files: certificate `<name>.pem`, key `<name>.key`.
    public static let authorities = ["root-ca", "issuing-ca"]

    /// Issues a fresh CRL for each test CA in `cardDirectory`; returns their paths (PEM).
    /// - Throws: `DemoError` when openssl is missing or fails.
    public static func issue(cardDirectory: URL, into directory: URL, openssl: String = "/usr/bin/openssl") throws(DemoError) -> [String] {
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            throw DemoError("\(openssl) is missing: install openssl (`make deps`); the demo makes its test CAs' CRLs with it")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DemoError("cannot make \(directory.path): \(error)")
        }
        var paths: [String] = []
        for name in authorities {
            let base = directory.appendingPathComponent(name).path
            let output = base + ".crl.pem"
            do {
                try "".write(toFile: base + ".index", atomically: true, encoding: .utf8)
                try "01\n".write(toFile: base + ".crlnumber", atomically: true, encoding: .utf8)
                try "[ca]\ndefault_ca = demo\n[demo]\ndatabase = \(base).index\ncrlnumber = \(base).crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n"
                    .write(toFile: base + ".cnf", atomically: true, encoding: .utf8)
            } catch {
                throw DemoError("cannot write the CRL configuration in \(directory.path): \(error)")
            }
            let ca = cardDirectory.appendingPathComponent(name)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = ["ca", "-gencrl", "-batch", "-config", base + ".cnf", "-cert", ca.path + ".pem",
                                 "-keyfile", ca.path + ".key", "-out", output]
            let log = Pipe()
            process.standardOutput = log
            process.standardError = log
            do {
                try process.run()
            } catch {
                throw DemoError("cannot run \(openssl): \(error)")
            }
            let text = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw DemoError("openssl could not make the CRL of \(name): \(text.suffix(400))")
            }
            paths.append(output)
        }
        return paths
    }
}
