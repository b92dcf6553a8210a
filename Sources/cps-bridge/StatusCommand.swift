import ArgumentParser
import CommandSupport
import BridgeProtocol
import BridgeServer
import CPSCard
import CPSIdentity
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// `cps-bridge status`: readers, cards, holders and PIN state, read directly (no daemon).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the readers, the CPx cards in them, their holders and PIN state (no daemon needed; spends no PIN try)."
    )

    @Flag(help: "Print one JSON document (the shape of GET /v1/status) on standard output; logs go to standard error.")
    var json = false

    @Option(name: .customLong("pkcs11-module"), help: "The PKCS#11 module to use instead of discovery.")
    var modulePath: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        bootstrapLogging(level: logLevel)
        let service = CardService(configuration: .init(modulePath: modulePath ?? ProcessInfo.processInfo.environment["CPS_BRIDGE_PKCS11_MODULE"]))
        let running = Task { try await service.run() }
        await service.waitForModule()
        let report = await service.status()
        running.cancel()
        if json {
            try printJSON(StatusDocument(report))
        } else {
            print(Self.text(report), terminator: "")
        }
    }

    /// The report in words for a person.
    static func text(_ report: StatusReport) -> String {
        var out = "PKCS#11 module: \(report.module ?? "none")\n"
        if report.readers.isEmpty { out += "No reader.\n" }
        for reader in report.readers {
            out += "Reader \(reader.name): "
            guard let card = reader.card else { out += "no card\n"; continue }
            out += "\(card.kind.rawValue) card\n"
            if let holder = card.holder {
                let name = [holder.givenName, holder.familyName].compactMap { $0 }.joined(separator: " ")
                out += "  holder: \(name.isEmpty ? "-" : name), \(holder.profession ?? "-"), national ID \(holder.nationalId.value) (\(holder.nationalId.type.rawValue))\n"
            }
            if let pin = card.pin {
                out += "  PIN: \(pin.state.rawValue)" + (pin.triesLeft.map { ", \($0) tries left" } ?? "") + "\n"
            }
            if let problem = card.problem { out += "  problem: \(problem)\n" }
        }
        for problem in report.problems { out += "Problem: \(problem)\n" }
        return out
    }
}

/// `GET /v1/status`'s document (BridgeProtocol's wire types), with what a sysadmin also wants:
/// the module in use and the problems found.
struct StatusDocument: Encodable {
    let v = 1
    let readers: [ReaderInfo]
    let module: String?
    let problems: [String]

    init(_ report: StatusReport) {
        readers = ReaderInfo.list(report)
        module = report.module
        problems = report.problems
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
