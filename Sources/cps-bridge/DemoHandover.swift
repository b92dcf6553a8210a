import ArgumentParser
import CommandSupport
#if canImport(Glibc)
import Glibc
#endif

/// `cps-bridge demo ...`: hands the process over (exec) to `cps-bridge-demo`, which a
/// `swift build` or `make demo` builds beside this executable, with the same arguments. The
/// Debian package does not ship it: a workstation needs no demo federator, and the daemon's
/// binary links none of it (no verifier, no child processes, no federator pages).
struct DemoHandover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the login demo (simulated CPS3 card, daemon, demo federator); built from the source only.",
        discussion: "Starts cps-bridge-demo beside this executable with the same options: `cps-bridge demo --help` lists them."
    )

    @Argument(parsing: .captureForPassthrough, help: "The demo's own options.")
    var arguments: [String] = []

    func run() throws {
        try Self.handOver(arguments)
    }

    /// Replaces this process with the demo; returns only by throwing.
    static func handOver(_ arguments: [String]) throws {
        let path = ExecutableLocation.beside("cps-bridge-demo")
        guard access(path, X_OK) == 0 else {
            throw CommandFailure("the demo is not part of an installed cps-bridge: \(path) is missing (build it from the source: make demo)")
        }
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(path, argv)
        let reason = String(cString: strerror(errno))
        argv.forEach { free($0) }
        throw CommandFailure("cannot start \(path): \(reason)")
    }
}
