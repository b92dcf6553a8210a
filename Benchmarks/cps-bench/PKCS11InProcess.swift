import ArgumentParser
import CardTestBed
import Foundation
import PKCS11

/// Login + sign through our PKCS11 layer with OpenSC loaded in this process: one
/// `C_Initialize`, a new session per run. The baseline the daemon must beat.
struct PKCS11InProcess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pkcs11-inprocess",
        abstract: "Time in-process OpenSC runs (session, login, find key, sign, logout) and count their APDUs.")

    @Option(help: "Runs (the first is the cold one).") var runs = 50
    @OptionGroup var card: CardOptions

    func validate() throws {
        guard runs >= 2 else { throw ValidationError("--runs must be at least 2 (one cold, one warm)") }
    }

    struct Results: Sendable {
        var setupTime = Samples()
        var setup: APDUCensus
        var times = Samples()
        var censuses: [APDUCensus] = []
    }

    func run() async throws {
        printHeader("pkcs11-inprocess")
        let runs = runs
        let results = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let log = APDULogFollower(path: card.apduLogPath)
            // C_Initialize (OpenSC reads OPENSC_CONF, set by the bed: PIN and file caches off),
            // then the card's slot: OpenSC detects the card and binds PKCS#15 here.
            let (slot, setupTime) = try timed { () throws -> Slot in
                let module = try PKCS11Module.load(path: TestEnvironment.openSCModulePath)
                guard let slot = try module.slots(readerName: card.reader.name, tokenPresent: true).first else {
                    throw BenchError("OpenSC shows no token in \(card.reader.name)")
                }
                _ = try slot.tokenInfo()
                return slot
            }
            var results = Results(setup: try log.next())
            results.setupTime.append(setupTime)
            let digestInfo = DigestInfo.sha256([UInt8](repeating: 0x5A, count: 32))
            let pin: [UInt8] = Array("1234".utf8)
            for _ in 0..<runs {
                let (signature, elapsed) = try timed { () throws -> [UInt8] in
                    let session = try slot.openSession()
                    try pin.withUnsafeBytes { try session.login(.user, pin: $0) }
                    let keys = try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT")
                    guard keys.count == 1 else { throw BenchError("\(keys.count) keys labelled CPS_PRIV_AUT") }
                    let signature = try session.sign(digestInfo, mechanism: .rsaPKCS, key: keys[0])
                    try session.logout()
                    try session.close()
                    return signature
                }
                guard signature.count == 256 else { throw BenchError("\(signature.count)-byte signature") }
                results.times.append(elapsed)
                results.censuses.append(try log.next())
            }
            try slot.module.finalize()
            return results
        }
        let cold = results.censuses[0]
        let warm = Array(results.censuses.dropFirst())
        var warmTimes = Samples()
        results.times.values.dropFirst().forEach { warmTimes.append(milliseconds: $0) }
        print("setup (C_Initialize, slot, token info): \(results.setup.total) APDUs, \(ms(results.setupTime.values[0])) ms")
        print("  by INS:       \(results.setup.breakdown)")
        print("cold run 1:     \(cold.total) APDUs, \(ms(results.times.values[0])) ms")
        print("  by INS:       \(cold.breakdown)")
        print("warm runs:      \(range(warm.map(\.total))) APDUs (min-max over \(warm.count) runs)")
        print("  by INS:       \(breakdown(warm))")
        print("warm wall:      \(warmTimes.summary)")
    }
}
