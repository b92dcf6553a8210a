import CPSCard
#if canImport(Glibc)
import Glibc
#endif

/// The settings of `cps-bridge serve`, from the command line, `CPS_BRIDGE_*` environment
/// variables and a configuration file, in that order of precedence, validated at start.
/// docs/CONFIGURATION.md documents each one.
public struct ServeConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var origins: OriginPolicy
    public var modulePath: String?
    public var pinentryProgram: String?
    /// Which PIN-pad path may be taken (`auto`, `module`, `direct`, `off`).
    public var pinPad: PINPadPolicy = .automatic
    /// How long the holder has to type the PIN on a reader's pad, in seconds (1 to 255).
    public var pinPadTimeoutSeconds: Int = 30
    public var logLevel: String
    /// The dispatcher's registration socket (`--dispatcher`): when set, the daemon binds
    /// nothing and serves the connections the dispatcher hands over (a PC shared by several
    /// accounts); `host` and `port` then only seed the `Host` check until it registers.
    public var dispatcher: String?
    /// The Unix account whose connections are served: the daemon's own (not a setting; tests
    /// may set it to see another account's refusal from their own).
    public var servedUID: UInt32 = geteuid()

    public static let defaultPort = 24830
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// One source's settings; `nil` (or empty lists) means "not set here".
    public struct Settings: Sendable, Hashable {
        public var listen: String?
        public var allowOrigins: [String] = []
        public var allowPagePIN: [String] = []
        public var allowInsecureOrigins: Bool?
        public var modulePath: String?
        public var pinentry: String?
        public var logLevel: String?
        public var dispatcher: String?
        public var pinPad: String?
        public var pinPadTimeout: String?

        public init(listen: String? = nil, allowOrigins: [String] = [], allowPagePIN: [String] = [], allowInsecureOrigins: Bool? = nil,
                    modulePath: String? = nil, pinentry: String? = nil, logLevel: String? = nil, dispatcher: String? = nil,
                    pinPad: String? = nil, pinPadTimeout: String? = nil) {
            self.pinPad = pinPad
            self.pinPadTimeout = pinPadTimeout
            self.listen = listen
            self.allowOrigins = allowOrigins
            self.allowPagePIN = allowPagePIN
            self.allowInsecureOrigins = allowInsecureOrigins
            self.modulePath = modulePath
            self.pinentry = pinentry
            self.logLevel = logLevel
            self.dispatcher = dispatcher
        }

        /// `self` where set, else `other`.
        func overriding(_ other: Settings) -> Settings {
            Settings(listen: listen ?? other.listen,
                     allowOrigins: allowOrigins.isEmpty ? other.allowOrigins : allowOrigins,
                     allowPagePIN: allowPagePIN.isEmpty ? other.allowPagePIN : allowPagePIN,
                     allowInsecureOrigins: allowInsecureOrigins ?? other.allowInsecureOrigins,
                     modulePath: modulePath ?? other.modulePath,
                     pinentry: pinentry ?? other.pinentry,
                     logLevel: logLevel ?? other.logLevel,
                     dispatcher: dispatcher ?? other.dispatcher,
                     pinPad: pinPad ?? other.pinPad,
                     pinPadTimeout: pinPadTimeout ?? other.pinPadTimeout)
        }
    }

    /// Merges the sources and validates the result.
    /// - Throws: `ConfigurationError` naming the setting, its source and what is wrong.
    public static func resolve(commandLine: Settings, environment: [String: String], file: String?) throws(ConfigurationError) -> ServeConfiguration {
        let fromFile = try file.map { text throws(ConfigurationError) in try parseFile(text) } ?? Settings()
        let merged = commandLine.overriding(try fromEnvironment(environment)).overriding(fromFile)
        let (host, port) = try parseListen(merged.listen ?? "127.0.0.1:\(defaultPort)")
        guard !merged.allowOrigins.isEmpty else { throw .noOrigin }
        let origins: OriginPolicy
        do {
            origins = try OriginPolicy(allowed: merged.allowOrigins, pagePINAllowed: merged.allowPagePIN,
                                       allowInsecureOrigins: merged.allowInsecureOrigins ?? false)
        } catch {
            throw .invalid("allow-origin", error.description)
        }
        let level = (merged.logLevel ?? "info").lowercased()
        guard logLevels.contains(level) else { throw .invalid("log-level", "\"\(level)\" is not one of \(logLevels.joined(separator: ", "))") }
        if let dispatcher = merged.dispatcher {
            guard dispatcher.hasPrefix("/") else { throw .invalid("dispatcher", "\"\(dispatcher)\": the dispatcher's socket is an absolute path (/run/cps-bridge/dispatch.sock)") }
            guard merged.listen == nil else { throw .invalid("dispatcher", "with a dispatcher the daemon listens on no port itself: drop listen") }
        }
        let policies = PINPadPolicy.allCases.map(\.rawValue)
        let pinPadText = (merged.pinPad ?? PINPadPolicy.automatic.rawValue).lowercased()
        guard let pinPad = PINPadPolicy(rawValue: pinPadText) else {
            throw .invalid("pin-pad", "\"\(pinPadText)\" is not one of \(policies.joined(separator: ", "))")
        }
        let timeoutText = merged.pinPadTimeout ?? "30"
        guard let padTimeout = Int(timeoutText), (1...255).contains(padTimeout) else {
            throw .invalid("pin-pad-timeout", "\"\(timeoutText)\": whole seconds from 1 to 255 (a PIN pad counts in one byte)")
        }
        return ServeConfiguration(host: host, port: port, origins: origins, modulePath: merged.modulePath,
                                  pinentryProgram: merged.pinentry, pinPad: pinPad, pinPadTimeoutSeconds: padTimeout,
                                  logLevel: level, dispatcher: merged.dispatcher)
    }

    /// `127.0.0.1:24830`, `localhost:24830`, `[::1]:24830` or a bare port: loopback only.
    static func parseListen(_ value: String) throws(ConfigurationError) -> (String, Int) {
        var host = "127.0.0.1"
        var portText = value
        if let colon = value.lastIndex(of: ":") {
            host = String(value[..<colon])
            portText = String(value[value.index(after: colon)...])
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .invalid("listen", "\"\(value)\": expected 127.0.0.1:PORT with a port from 1 to 65535")
        }
        let loopback = host == "localhost" || host == "[::1]" || host == "::1" || host.hasPrefix("127.")
        guard loopback else {
            throw .invalid("listen", "\"\(value)\": the daemon listens on loopback only (127.0.0.1, [::1] or localhost), never on \(host)")
        }
        return (host == "localhost" ? "127.0.0.1" : host, port)
    }

    /// `CPS_BRIDGE_*` variables; lists are separated by commas or spaces.
    static func fromEnvironment(_ env: [String: String]) throws(ConfigurationError) -> Settings {
        func list(_ key: String) -> [String] {
            (env[key] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        var insecure: Bool?
        if let value = env["CPS_BRIDGE_ALLOW_INSECURE_ORIGINS"] {
            guard let parsed = parseBool(value) else { throw .invalid("CPS_BRIDGE_ALLOW_INSECURE_ORIGINS", "\"\(value)\" is not true or false") }
            insecure = parsed
        }
        return Settings(listen: env["CPS_BRIDGE_LISTEN"], allowOrigins: list("CPS_BRIDGE_ALLOW_ORIGIN"), allowPagePIN: list("CPS_BRIDGE_ALLOW_PAGE_PIN"),
                        allowInsecureOrigins: insecure, modulePath: env["CPS_BRIDGE_PKCS11_MODULE"], pinentry: env["CPS_BRIDGE_PINENTRY"],
                        logLevel: env["CPS_BRIDGE_LOG_LEVEL"], dispatcher: env["CPS_BRIDGE_DISPATCHER"],
                        pinPad: env["CPS_BRIDGE_PIN_PAD"], pinPadTimeout: env["CPS_BRIDGE_PIN_PAD_TIMEOUT"])
    }

    /// The configuration file: `key = value` lines named like the command-line options,
    /// `#` comments, list settings repeated once per value.
    static func parseFile(_ text: String) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?.trimmingWhitespace ?? ""
            guard !line.isEmpty else { continue }
            guard let equals = line.firstIndex(of: "=") else { throw .fileLine(index + 1, "expected key = value") }
            let key = String(line[..<equals]).trimmingWhitespace
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace
            switch key {
            case "listen": settings.listen = value
            case "allow-origin": settings.allowOrigins.append(value)
            case "allow-page-pin": settings.allowPagePIN.append(value)
            case "allow-insecure-origins":
                guard let parsed = parseBool(value) else { throw .fileLine(index + 1, "allow-insecure-origins takes true or false") }
                settings.allowInsecureOrigins = parsed
            case "pkcs11-module": settings.modulePath = value
            case "pinentry": settings.pinentry = value
            case "log-level": settings.logLevel = value
            case "dispatcher": settings.dispatcher = value
            case "pin-pad": settings.pinPad = value
            case "pin-pad-timeout": settings.pinPadTimeout = value
            default: throw .fileLine(index + 1, "unknown setting \"\(key)\"")
            }
        }
        return settings
    }

    static func parseBool(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "true", "yes", "1", "on": true
        case "false", "no", "0", "off": false
        default: nil
        }
    }
}

/// A configuration that cannot be used, said so that a sysadmin can fix it.
public enum ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    case noOrigin
    case invalid(String, String)
    case fileLine(Int, String)

    public var description: String {
        switch self {
        case .noOrigin: "no allowed origin: give the federator's login page origin with --allow-origin https://... (or allow-origin in the configuration file, or CPS_BRIDGE_ALLOW_ORIGIN)"
        case .invalid(let setting, let why): "\(setting): \(why)"
        case .fileLine(let line, let why): "configuration file, line \(line): \(why)"
        }
    }
}
