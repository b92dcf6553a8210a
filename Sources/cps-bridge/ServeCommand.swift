import ArgumentParser
import CommandSupport
import BridgeServer
import CPSCard
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import ServiceLifecycle

/// `cps-bridge serve`: the local login API on 127.0.0.1 (docs/CONFIGURATION.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local login API (HTTP + WebSocket on 127.0.0.1) to the allowed federator origins."
    )

    @Option(help: "Where to listen: 127.0.0.1:PORT (loopback only). Default 127.0.0.1:24830. A socket from systemd (LISTEN_FDS) takes its place.")
    var listen: String?
    @Option(name: .customLong("allow-origin"), help: "An allowed federator origin, https://host[:port]; repeat for several.")
    var allowOrigins: [String] = []
    @Option(name: .customLong("allow-page-pin"), help: "An allowed origin whose page may send the PIN itself; repeat for several.")
    var allowPagePIN: [String] = []
    @Flag(name: .customLong("allow-insecure-origins"), help: "Accept http:// origins (development and demo only).")
    var allowInsecureOrigins = false
    @Option(name: .customLong("pkcs11-module"), help: "The PKCS#11 module (default: Cryptolib CPS where installed, else OpenSC).")
    var modulePath: String?
    @Option(help: "A pinentry program for the native PIN prompt.")
    var pinentry: String?
    @Option(name: .customLong("pin-pad"), help: "PIN-pad readers: auto (the module's protected path, else ours), module, direct, off.")
    var pinPad: String?
    @Option(name: .customLong("pin-pad-timeout"), help: "Seconds the holder has to type the PIN on the reader (1-255, default 30).")
    var pinPadTimeout: Int?
    @Option(help: "A configuration file (key = value lines).")
    var config: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?
    @Option(help: "On a PC shared by several accounts: the dispatcher's registration socket (/run/cps-bridge/dispatch.sock); the daemon then listens on no port and serves what the dispatcher hands over.")
    var dispatcher: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file: String?
        if let path = config ?? environment["CPS_BRIDGE_CONFIG"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                try await Self.refuseToServe("refusing to serve: cannot read the configuration file \(path) (missing, or not readable by this account)", error: nil)
                return
            }
            file = text
        } else {
            file = nil
        }
        let settings = ServeConfiguration.Settings(listen: listen, allowOrigins: allowOrigins, allowPagePIN: allowPagePIN,
                                                   allowInsecureOrigins: allowInsecureOrigins ? true : nil, modulePath: modulePath,
                                                   pinentry: pinentry, logLevel: logLevel, dispatcher: dispatcher,
                                                   pinPad: pinPad, pinPadTimeout: pinPadTimeout.map(String.init))
        let configuration: ServeConfiguration
        do {
            configuration = try ServeConfiguration.resolve(commandLine: settings, environment: environment, file: file)
        } catch {
            try await Self.refuseToServe(Self.explain(error, file: config ?? environment["CPS_BRIDGE_CONFIG"]), error: error)
            return
        }
        bootstrapLogging(level: Logger.Level(rawValue: configuration.logLevel) ?? .info)
        ProcessHardening.apply(logger: Logger(label: "cps-bridge"))
        // Hummingbird and the WebSocket library log frame bytes at trace: they get debug at most.
        let logger = ProcessHardening.libraryLogger(Logger(label: "cps-bridge"))
        // Started by a systemd socket unit: serve on its socket (checked to be a loopback
        // listening TCP socket) rather than binding --listen.
        let socket: InheritedSocket?
        do {
            socket = try InheritedSocket.fromSystemd()
        } catch {
            throw CommandFailure(error.description)
        }
        if let socket, configuration.dispatcher != nil {
            throw CommandFailure("systemd passed a socket (fd \(socket.descriptor)) and a dispatcher is configured: the daemon serves one or the other")
        }
        // Under systemd (Type=notify): readiness, status and the card worker's watchdog pings.
        let notifier = SystemdNotifier.fromEnvironment()
        var cardConfiguration = CardService.Configuration(modulePath: configuration.modulePath, pinentryProgram: configuration.pinentryProgram,
                                                          pinPad: configuration.pinPad, pinPadTimeout: .seconds(configuration.pinPadTimeoutSeconds))
        cardConfiguration.watchdog = notifier.flatMap { Self.watchdog($0, operationTimeout: cardConfiguration.operationTimeout, environment: environment, logger: logger) }
        let cards = CardService(configuration: cardConfiguration, logger: Logger(label: "cps-bridge.cards"))
        let systemd = notifier.map { SystemdStatus(notifier: $0, cards: cards) }
        let origins = configuration.origins.allowed.sorted().joined(separator: " ")
        let app = BridgeServer.application(configuration: configuration, socket: socket, cards: cards, logger: logger) { port in
            let address: String
            if let socket {
                let host = socket.host.contains(":") ? "[\(socket.host)]" : socket.host
                address = "\(host):\(port)"
                logger.info("listening on \(address) (socket from systemd, fd \(socket.descriptor)\(socket.name.map { ", \($0)" } ?? "")) for \(origins)")
            } else {
                address = "\(configuration.host):\(port)"
                logger.info("listening on \(address) for \(origins)")
            }
            await systemd?.listenerReady(address: address)
        } onRegistered: { addresses in
            // Behind the dispatcher: ready once registered (cps-bridge-dispatched.service).
            await systemd?.listenerReady(address: addresses.joined(separator: " ") + " (through the dispatcher)")
        }
        let services: [any Service] = [cards, app] + (systemd.map { [$0] } ?? [])
        let group = ServiceGroup(services: services, logger: logger)
        ShutdownSignals.onSignal {
            logger.notice("stopping: SIGTERM or SIGINT")
            Task { await group.triggerGracefulShutdown() }
        }
        try await group.run()
    }
}
