// cps-card-sim: a simulated CPS3 contact card plugged into pcscd through vpcd.
import ArgumentParser
import CPSSimulator
import Dispatch
import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The command line: parses options, loads or creates the state directory, starts the vpcd
/// link and the control socket, then waits for SIGTERM/SIGINT.
struct CardSimulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cps-card-sim",
        abstract: "A simulated CPS3 card (TEST PKI) for pcscd + vpcd.")

    @Option(help: "vpcd port (CHANNELID + slot index).") var vpcdPort: UInt16
    @Option(help: "vpcd host.") var vpcdHost = "127.0.0.1"
    @Option(help: "State directory (keys, certificates, apdu.log, control.sock); created if needed.") var state: String
    @Option(help: "User PIN (digits).") var pin = "1234"
    @Option(help: "PIN tries left at start (0 = blocked).") var tries = 3
    @Option(help: "Holder national identifier (idNat_PS).") var nationalId = "899700012345"
    @Option(help: "Holder surname.") var surname = "TEST-CPS"
    @Option(help: "Holder given name.") var givenName = "CAMILLE"
    @Option(help: "Holder profession (certificate title).") var profession = "Médecin"
    @Option(help: "Delay added to each private-key operation, in milliseconds.") var signatureDelayMs = 0

    func validate() throws {
        guard PINCode(digits: pin) != nil, (4...8).contains(pin.count) else {
            throw ValidationError("--pin must be 4 to 8 digits")
        }
        guard (0...3).contains(tries) else { throw ValidationError("--tries must be 0...3") }
        guard signatureDelayMs >= 0 else { throw ValidationError("--signature-delay-ms must not be negative") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: state).standardizedFileURL.path
        let holder = HolderIdentity(nationalID: nationalId, surname: surname, givenName: givenName, profession: profession)
        let credentials = try CardCredentials.loadOrCreate(in: directory, holder: holder)
        for change in credentials.changes { print("state: \(change)") }
        let card = try CPS3Card(credentials: credentials, pin: PINCode(digits: pin)!, triesLeft: tries,
                                log: try APDULog(path: directory + "/apdu.log"),
                                signatureDelay: .milliseconds(signatureDelayMs))
        let link = VPCDLink(card: card, host: vpcdHost, port: vpcdPort) { print($0) }
        let control = try ControlServer(path: directory + "/control.sock") { ControlCommand.answer($0, link: link) }
        control.start()

        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                control.removeSocketFile()
                print("stopped: signal \(signalNumber)")
                Glibc.exit(0)
            }
            source.resume()
            sources.append(source)
        }
        print("ready: vpcd \(vpcdHost):\(vpcdPort) state \(directory)")
        link.start()
        withExtendedLifetime(sources) { dispatchMain() }
    }
}

lineBufferStandardOutput()
CardSimulatorCommand.main()
