import ArgumentParser
import BridgeServer
import CPSCard
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

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
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("cannot read the configuration file \(path)") }
            file = text
        } else {
            file = nil
        }
        let settings = ServeConfiguration.Settings(listen: listen, allowOrigins: allowOrigins, allowPagePIN: allowPagePIN,
                                                   allowInsecureOrigins: allowInsecureOrigins ? true : nil, modulePath: modulePath,
                                                   pinentry: pinentry, logLevel: logLevel, dispatcher: dispatcher)
        let configuration: ServeConfiguration
        do {
            configuration = try ServeConfiguration.resolve(commandLine: settings, environment: environment, file: file)
        } catch {
            throw CommandFailure("configuration: \(error)")
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
        let cards = CardService(configuration: .init(modulePath: configuration.modulePath, pinentryProgram: configuration.pinentryProgram),
                                logger: Logger(label: "cps-bridge.cards"))
        let origins = configuration.origins.allowed.sorted().joined(separator: " ")
        let app = BridgeServer.application(configuration: configuration, socket: socket, cards: cards, logger: logger) { port in
            if let socket {
                let host = socket.host.contains(":") ? "[\(socket.host)]" : socket.host
                logger.info("listening on \(host):\(port) (socket from systemd, fd \(socket.descriptor)\(socket.name.map { ", \($0)" } ?? "")) for \(origins)")
            } else {
                logger.info("listening on \(configuration.host):\(port) for \(origins)")
            }
        }
        let group = ServiceGroup(services: [cards, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
