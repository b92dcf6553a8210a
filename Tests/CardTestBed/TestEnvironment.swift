@_exported import ChildProcesses
import Foundation

/// What the machine offers the tests, and whether a missing part may be skipped.
///
/// On a laptop a test that needs pcscd may skip when pcscd is not installed. Under CI
/// (`CI=true`) nothing skips: the trait conditions below are then true, so the tests run and
/// fail loudly on the missing part.
public enum TestEnvironment {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static let pcscdPath = "/usr/sbin/pcscd"
    public static let vpcdDriverPath = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
    public static let openSCModulePath = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
    public static let softHSMModulePath = "/usr/lib/softhsm/libsofthsm2.so"
    public static let pkcs11ToolPath = "/usr/bin/pkcs11-tool"

    static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) || FileManager.default.fileExists(atPath: path) }

    /// pcscd and the vpcd driver are installed (the card bed can start).
    public static var hasCardBed: Bool { exists(pcscdPath) && exists(vpcdDriverPath) && exists("/usr/bin/unshare") }

    /// Run card-bed tests: the bed is installed, or we are in CI where a missing bed must fail.
    public static var runCardBedTests: Bool { isCI || hasCardBed }

    /// Run OpenSC tests: OpenSC and the bed are installed, or we are in CI.
    public static var runOpenSCTests: Bool { isCI || (hasCardBed && exists(openSCModulePath) && exists(pkcs11ToolPath)) }

    /// Run SoftHSM tests.
    public static var runSoftHSMTests: Bool { isCI || (exists(softHSMModulePath) && exists("/usr/bin/softhsm2-util")) }

    /// The folder holding the package's built executables (`cps-card-sim`, `cps-bridge`): the
    /// test bundle's own folder, or `CPS_BRIDGE_BIN_DIR`.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["CPS_BRIDGE_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }

    /// The simulated PIN-pad reader's IFD handler, a dynamic library product of the package
    /// (`cps-pinpad-ifd`), built next to the executables.
    public static var pinPadDriverPath: String {
        binDirectory.appendingPathComponent("libcps-pinpad-ifd.so").path
    }

    /// Where tests leave files a person may want to read after a run (logs, screenshots).
    public static var artifactsDirectory: URL {
        let dir = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CPS_BRIDGE_TEST_ARTIFACTS"] ?? "test-artifacts")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A precondition of a test that is not met (a program is missing, a service did not start).
public struct TestBedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension TestEnvironment {
    /// Runs stock OpenSC's `pkcs11-tool` with this process's environment (the bed's pcscd
    /// socket and OpenSC configuration) and returns its status and all its output.
    /// `--module` comes first when `module` is given.
    public static func pkcs11Tool(_ arguments: [String], module: String? = openSCModulePath) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pkcs11ToolPath)
        process.arguments = (module.map { ["--module", $0] } ?? []) + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
