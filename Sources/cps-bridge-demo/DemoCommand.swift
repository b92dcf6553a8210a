import ArgumentParser
import BridgeProtocol
import BridgeServer
import CPSAuthVerifier
import CPSCard
import CPSDemo
import CommandSupport
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `cps-bridge demo` (this executable, `cps-bridge-demo`, which `cps-bridge demo` hands over
/// to): the whole login on a machine with no reader. A private pcscd with the
/// simulated CPS3 card, the daemon (in this process, allowing only the demo page's `http`
/// origin), and a small federator serving the login page; prints `URL: ...` when ready.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cps-bridge demo",
        abstract: "Run the login demo: simulated CPS3 card, daemon and demo federator on 127.0.0.1.",
        discussion: "Prints `URL: http://127.0.0.1:PORT/` when ready; open it and log in with PIN 1234. Ctrl-C stops everything."
    )

    @Option(help: "The demo federator's port (default: a free port).")
    var port: Int = 0
    @Option(name: .customLong("bridge-port"), help: "The daemon's port (default: a free port, so that a real cps-bridge on 24830 is left alone).")
    var bridgePort: Int = 0
    @Option(help: "A folder for the demo's state (pcscd socket, the card's state and logs); default: a temporary folder, removed at the end.")
    var state: String?
    @Option(name: .customLong("web-root"), help: "The web folder (cps-bridge.js, demo/); found beside the build by default.")
    var webRoot: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (default notice).")
    var logLevel: String = "notice"
    @Flag(name: .customLong("pin-pad"), help: "Put the card in a simulated PIN-pad reader: the page asks for no PIN, and the PIN is typed on the reader's keypad (this terminal stands in for it).")
    var pinPad = false
    @Option(name: .customLong("nonce-store"), help: "postgres://user[:password]@host[:port]/database, or postgres://user@/database?host=/socket/dir: run two federator nodes on two ports sharing this PostgreSQL nonce store; the page's challenges come from node A, its logins are verified by node B (default: one node, nonces in memory).")
    var nonceStore: String?

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw CommandFailure("unknown log level \(logLevel)") }
        bootstrapLogging(level: level)
        ProcessHardening.apply(logger: Logger(label: "cps-bridge.demo"))
        let logger = ProcessHardening.libraryLogger(Logger(label: "cps-bridge.demo"))
        let assets = try WebAssets.locate(explicit: webRoot)

        let directory: URL
        let temporary = state == nil
        if let state {
            directory = URL(fileURLWithPath: state)
        } else {
            var template = Array(URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cps-bridge-demo.XXXXXX").path.utf8CString)
            guard let made = mkdtemp(&template) else { throw CommandFailure("cannot make a temporary folder") }
            directory = URL(fileURLWithPath: String(cString: made))
        }
        defer { if temporary { try? FileManager.default.removeItem(at: directory) } }
        Self.say("STATE: \(directory.path)")

        let bed = try DemoBed(directory: directory, simulator: ExecutableLocation.program("cps-card-sim"), pinPadDriver: pinPad ? ExecutableLocation.beside("libcps-pinpad-ifd.so") : nil)
        defer { bed.stop() }

        let federatorPort = port == 0 ? try DemoBed.freePort() : port
        let apiPort = bridgePort == 0 ? try DemoBed.freePort() : bridgePort
        let origin = try Origin("http://127.0.0.1:\(federatorPort)")
        let serve: ServeConfiguration
        do {
            serve = try ServeConfiguration.resolve(
                commandLine: .init(listen: "127.0.0.1:\(apiPort)", allowOrigins: [origin.serialization], allowPagePIN: [origin.serialization],
                                   allowInsecureOrigins: true, logLevel: logLevel),
                environment: [:], file: nil)
        } catch {
            throw CommandFailure("configuration: \(error)")
        }

        let verifierConfiguration: VerifierConfiguration
        do {
            // The PSC profile, with the demo's two explicit relaxations: its origin is
            // http://127.0.0.1, and the simulated card's certificate carries no certificate
            // policy. Revocation is checked for real: the test CAs publish CRLs (openssl).
            let crls = try DemoCRLs.issue(cardDirectory: bed.cardDirectory, into: directory.appendingPathComponent("crl"))
            let configuration = VerifierConfiguration(
                trustAnchors: try VerifierConfiguration.certificates(fromPEMFile: bed.rootCAPath),
                intermediates: try VerifierConfiguration.certificates(fromPEMFile: bed.issuingCAPath),
                crls: try crls.map { try VerifierConfiguration.crl(fromFile: $0) },
                certificatePolicies: .notChecked,
                allowInsecureOrigins: true)
            verifierConfiguration = configuration
            FileHandle.standardError.write(Data("""
            cps-bridge demo: vérification PSC, sauf origine http et politique de certificat (carte simulée sans OID) ;
            LCR des AC de test dans \(directory.path)/crl / PSC verification except the http origin and the certificate
            policy (the simulated card carries none); the test CAs' CRLs are in \(directory.path)/crl.

            """.utf8))
        } catch {
            throw CommandFailure("the simulated card's test PKI: \(error)")
        }

        // The demo has no desktop: its pinentry confirms the last try in the holder's place.
        let cards = CardService(configuration: .init(pinentryProgram: bed.pinentryPath, pinPad: .automatic), logger: Logger(label: "cps-bridge.cards"))
        // With a shared nonce store: node B's port, and two more arrivals (node B, the store).
        let nodeBPort = nonceStore == nil ? nil : try DemoBed.freePort()
        let ready = ReadyLatch(count: nonceStore == nil ? 2 : 4) {
            Self.say("BRIDGE: http://127.0.0.1:\(apiPort)")
            Self.say("URL: \(origin.serialization)/")
            if let nodeBPort {
                Self.say("NODE A: \(origin.serialization)/")
                Self.say("NODE B: http://127.0.0.1:\(nodeBPort)/")
                FileHandle.standardError.write(Data("""
                cps-bridge demo: deux nœuds fédérateurs partagent le magasin de défis PostgreSQL ; défi émis par le nœud A
                (port \(federatorPort)), connexion vérifiée par le nœud B (port \(nodeBPort)) / two federator nodes share the
                PostgreSQL nonce store; challenge issued by node A (port \(federatorPort)), login verified by node B (port \(nodeBPort)).

                """.utf8))
            }
            FileHandle.standardError.write(Data("""
            cps-bridge demo: ouvrez / open \(origin.serialization)/ — PIN 1234 (carte simulée / simulated card, \(bed.readerName)).
            Ctrl-C arrête tout / stops everything.

            """.utf8))
            if let keypad = bed.keypadPath {
                Self.say("KEYPAD: \(keypad)")
                FileHandle.standardError.write(Data("""
                Lecteur à clavier simulé / simulated PIN-pad reader: après « Se connecter », tapez le code ici puis Entrée
                (1234), ou « annuler » / after "Se connecter", type the PIN here then Enter, or "cancel".
                Depuis un script / from a script: printf 'type 1234\\n' | socat - UNIX-CONNECT:\(keypad)

                """.utf8))
            }
        }
        if let keypad = bed.keypadPath { Self.forwardTerminal(to: DemoKeypad(path: keypad)) }
        let bridge = BridgeServer.application(configuration: serve, cards: cards,
                                              logger: ProcessHardening.libraryLogger(Logger(label: "cps-bridge"))) { _ in await ready.arrive() }
        let federatorLogger = ProcessHardening.libraryLogger(Logger(label: "cps-bridge.demo.federator"))
        let makeNode = { @Sendable (verifier: CPSAuthVerifier, sessions: NonceSessions, logger: Logger) in
            DemoFederator(origin: origin, bridgeURL: "ws://127.0.0.1:\(apiPort)/v1/ws", assets: assets, verifier: verifier,
                          nonceLifetimeSeconds: 300, pinPad: pinPad, sessions: sessions, logger: logger)
        }
        var services: [any Service] = [cards, bridge]
        if let nonceStore, let nodeBPort {
            let cluster: DemoCluster
            do {
                cluster = try DemoCluster(url: nonceStore, configuration: verifierConfiguration, logger: federatorLogger,
                                          onReady: { await ready.arrive() }, make: makeNode)
            } catch {
                throw CommandFailure("--nonce-store: \(error)")
            }
            services.append(cluster)
            services += cluster.applications(portA: federatorPort, portB: nodeBPort) { _ in await ready.arrive() }
        } else {
            let federator = makeNode(CPSAuthVerifier(configuration: verifierConfiguration), NonceSessions(), federatorLogger)
            services.append(federator.application(port: federatorPort) { _ in await ready.arrive() })
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        logger.notice("demo stopped")
    }

    /// Lines typed in this terminal go to the simulated keypad (a thread of its own, blocking
    /// on standard input). The digits are never printed or logged.
    static func forwardTerminal(to keypad: DemoKeypad) {
        let thread = Thread {
            while let line = readLine() {
                guard let command = DemoKeypad.command(forTerminalLine: line) else {
                    FileHandle.standardError.write(Data("clavier / keypad: chiffres, « annuler » ou « display » / digits, \"cancel\" or \"display\"\n".utf8))
                    continue
                }
                let answer: String
                do { answer = try keypad.send(command) } catch { answer = "\(error)" }
                FileHandle.standardError.write(Data("clavier / keypad: \(answer)\n".utf8))
            }
        }
        thread.name = "demo-keypad"
        thread.start()
    }

    /// One line on standard output, flushed at once (tests and scripts wait for these lines).
    static func say(_ line: String) {
        StandardStream.output.say(line)
    }
}

/// Runs `action` once `count` arrivals have happened.
actor ReadyLatch {
    private var remaining: Int
    private let action: @Sendable () -> Void

    init(count: Int, action: @escaping @Sendable () -> Void) {
        remaining = count
        self.action = action
    }

    func arrive() {
        remaining -= 1
        if remaining == 0 { action() }
    }
}
