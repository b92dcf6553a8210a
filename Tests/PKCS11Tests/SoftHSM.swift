import Foundation
import PKCS11
import Testing

/// What the PKCS#11 tests need from the machine, and whether they may skip without it.
enum TestMachine {
    /// Under `CI=true` nothing may skip: missing tools make the tests fail.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let softHSMModule = "/usr/lib/softhsm/libsofthsm2.so"
    static let openSCModule = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

    /// The full path of a program on `PATH`, or nil.
    static func program(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var hasSoftHSM: Bool {
        FileManager.default.fileExists(atPath: softHSMModule) && program("softhsm2-util") != nil
            && program("pkcs11-tool") != nil && program("openssl") != nil
    }

    /// True when SoftHSM2, softhsm2-util, pkcs11-tool and openssl are installed, and always
    /// under `CI=true`, so that a CI machine without them fails instead of skipping.
    static var softHSMTestsEnabled: Bool {
        isCI || hasSoftHSM
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when SoftHSM2 and its tools are installed; always under `CI=true`.
    static var needsSoftHSM: Self {
        .enabled(if: TestMachine.softHSMTestsEnabled, "needs softhsm2, pkcs11-tool and openssl (never skipped under CI=true)")
    }
}

/// One SoftHSM2 token directory for the whole test process, and tokens made in it.
///
/// `SOFTHSM2_CONF` is process-wide and SoftHSM reads it in `C_Initialize`, so it is set once,
/// before the module is first loaded; each test then makes its own token with a unique label.
final class SoftHSM: Sendable {
    static let shared = SoftHSM()

    let directory: URL
    let configuration: URL
    static let userPIN = "1234"
    static let soPIN = "5678"

    private init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pkcs11-tests-\(getpid())-\(UUID().uuidString)")
        let tokens = directory.appendingPathComponent("tokens")
        try! FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        configuration = directory.appendingPathComponent("softhsm2.conf")
        try! "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(to: configuration, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", configuration.path, 1)
    }

    /// The SoftHSM module, loaded once (after `SOFTHSM2_CONF` is set).
    func module() throws -> PKCS11Module {
        try PKCS11Module.load(path: TestMachine.softHSMModule)
    }

    /// A unique token label starting with `prefix` (labels hold 32 bytes).
    func uniqueLabel(_ prefix: String) -> String {
        String((prefix + "-" + UUID().uuidString.prefix(8)).prefix(32))
    }

    /// Makes a token labelled `label` (`softhsm2-util --init-token --free`) and returns its slot.
    ///
    /// SoftHSM 2.6 builds its slot list in `C_Initialize`: a token made by another process is
    /// not listed until the module is re-initialised, which ends every open session of the
    /// process. So tests make their tokens before opening sessions, in a serialised suite.
    /// (Objects added later by another process to a listed token are seen without it.)
    func makeToken(label: String) throws -> Slot {
        try run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", Self.soPIN, "--pin", Self.userPIN])
        let module = try module()
        try module.reinitialize()
        guard let slot = try module.slot(tokenLabel: label) else {
            throw FixtureError("token \(label) made but not listed by the module")
        }
        return slot
    }

    /// Generates an RSA-2048 key pair on the token (`pkcs11-tool --keypairgen`).
    func generateRSAKeyPair(token: String, label: String, id: String) throws {
        try pkcs11Tool(token: token, ["--keypairgen", "--key-type", "rsa:2048", "--label", label, "--id", id])
    }

    /// Makes an RSA key and a self-signed certificate with openssl, and imports both into the
    /// token under the same ID, as a CPS card holds `CPS_PRIV_AUT` and `CPS_CERT_AUT`.
    /// - Returns: the certificate's DER.
    func importKeyAndCertificate(token: String, keyLabel: String, certificateLabel: String, id: String) throws -> [UInt8] {
        let work = directory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let keyPEM = work.appendingPathComponent("key.pem").path
        let keyDER = work.appendingPathComponent("key.der").path
        let certificate = work.appendingPathComponent("cert.der").path
        try run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPEM, "-outform", "DER",
                            "-out", certificate, "-subj", "/CN=TEST PKCS11 \(id)/C=FR", "-days", "2"])
        try run("openssl", ["pkey", "-in", keyPEM, "-outform", "DER", "-out", keyDER])
        try pkcs11Tool(token: token, ["--write-object", keyDER, "--type", "privkey", "--id", id, "--label", keyLabel])
        try pkcs11Tool(token: token, ["--write-object", certificate, "--type", "cert", "--id", id, "--label", certificateLabel])
        try FileManager.default.removeItem(atPath: keyPEM)
        try FileManager.default.removeItem(atPath: keyDER)
        return Array(try Data(contentsOf: URL(fileURLWithPath: certificate)))
    }

    private func pkcs11Tool(token: String, _ arguments: [String]) throws {
        try run("pkcs11-tool", ["--module", TestMachine.softHSMModule, "--token-label", token, "--login", "--pin", Self.userPIN] + arguments)
    }

    /// Runs a program with `SOFTHSM2_CONF`, failing with its output if it fails.
    func run(_ program: String, _ arguments: [String]) throws {
        guard let executable = TestMachine.program(program) else {
            throw FixtureError("\(program) is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SOFTHSM2_CONF"] = configuration.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(program) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
