// cps-bench: baseline figures of the card stack (BENCHMARKS.md).
import ArgumentParser

/// The command line: one subcommand per benchmark, each on the card bed of its own process.
@main
struct CPSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cps-bench",
        abstract: "Baseline benchmarks of the card stack on the simulated CPS3 (pcscd + vpcd + cps-card-sim).",
        discussion: "Build in release (`make bench`); see BENCHMARKS.md for what each figure means.",
        subcommands: [APDURoundTrip.self, PKCS11ToolSign.self, PKCS11InProcess.self, VerifyTokens.self, DaemonVsDirect.self,
                      EventLatency.self, DaemonStart.self, DaemonIdle.self, DaemonMemory.self, Peer.self, WireCodec.self]
    )
}

/// Options every card benchmark takes.
struct CardOptions: ParsableArguments {
    @Option(help: "Delay the simulated card adds to each private-key operation, in milliseconds.")
    var signatureDelayMs = 0

    /// Extra `cps-card-sim` arguments.
    var simulatorArguments: [String] { ["--signature-delay-ms", String(signatureDelayMs)] }
}
