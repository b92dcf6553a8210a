import ArgumentParser
import CommandSupport
import CPSIdentity
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `cps-bridge inspect FILE`: the holder named by an authentication certificate, as JSON.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the holder named by a CPx authentication certificate (PEM or DER) as JSON."
    )

    @Argument(help: "A certificate file, PEM or DER.")
    var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read \(file)")
        }
        let holder: HolderIdentity
        do {
            holder = try HolderIdentity(certificateBytes: Array(data))
        } catch {
            throw CommandFailure("\(file): \(error)")
        }
        try printJSON(holder)
    }
}

/// Writes `value` as one pretty JSON document on standard output (logs go to standard error).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    StandardStream.output.say(String(decoding: data, as: UTF8.self))
}
