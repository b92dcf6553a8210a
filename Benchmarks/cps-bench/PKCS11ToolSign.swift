import ArgumentParser
import CardTestBed
import Foundation
import PKCS11

/// Stock `pkcs11-tool --login --sign` runs, a new process each, as a user would run them.
struct PKCS11ToolSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pkcs11-sign",
        abstract: "Time pkcs11-tool login + RSA-PKCS sign runs (new process each) and count their APDUs.")

    @Option(help: "pkcs11-tool runs.") var runs = 20
    @OptionGroup var card: CardOptions

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() async throws {
        printHeader("pkcs11-sign")
        let runs = runs
        let (times, censuses) = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let input = card.stateDirectory.appendingPathComponent("digestinfo.bin")
            let output = card.stateDirectory.appendingPathComponent("signature.bin")
            try Data(DigestInfo.sha256([UInt8](repeating: 0x5A, count: 32))).write(to: input)
            // No slot option: the bed's only card is the first slot with a token.
            let arguments = ["--module", TestEnvironment.openSCModulePath, "--login", "--pin", "1234",
                             "--sign", "-m", "RSA-PKCS", "--label", "CPS_PRIV_AUT",
                             "-i", input.path, "-o", output.path]
            let log = APDULogFollower(path: card.apduLogPath)
            var times = Samples()
            var censuses: [APDUCensus] = []
            for _ in 0..<runs {
                try? FileManager.default.removeItem(at: output)
                let (result, elapsed) = try timed { try Self.tool(arguments) }
                let signature = (try? Data(contentsOf: output)) ?? Data()
                guard result.status == 0, signature.count == 256 else {
                    throw BenchError("pkcs11-tool exited \(result.status), \(signature.count)-byte signature:\n\(result.output)")
                }
                times.append(elapsed)
                censuses.append(try log.next())
            }
            return (times, censuses)
        }
        print("APDUs per run:  \(range(censuses.map(\.total)))  (min-max over \(censuses.count) runs)")
        print("  by INS:       \(breakdown(censuses))")
        print("wall per run:   \(times.summary)")
    }

    /// Runs pkcs11-tool with this process's environment (the bed's pcscd socket and OpenSC
    /// configuration); returns its status and output.
    static func tool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestEnvironment.pkcs11Tool(arguments, module: nil)
    }
}

/// `SELECT 12, READ BINARY 20-21, ...`: each kind's count per run, min-max over the runs.
func breakdown(_ censuses: [APDUCensus]) -> String {
    APDUCensus.Kind.allCases.compactMap { kind in
        let counts = censuses.map { $0.count(kind) }
        guard counts.contains(where: { $0 > 0 }) else { return nil }
        if kind == .verify { return "VERIFY \(range(counts)) (\(range(censuses.map(\.verifiesWithPIN))) with PIN)" }
        return "\(kind.rawValue) \(range(counts))"
    }.joined(separator: ", ")
}
