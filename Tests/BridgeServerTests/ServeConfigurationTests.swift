import BridgeServer
import Testing

@Suite struct ServeConfigurationTests {
    typealias Settings = ServeConfiguration.Settings

    @Test func commandLineBeatsEnvironmentBeatsFile() throws {
        let file = """
        # cps-bridge
        listen = 127.0.0.1:25000
        allow-origin = https://file.example.fr
        log-level = debug
        pinentry = /usr/bin/pinentry-gnome3
        """
        let env = ["CPS_BRIDGE_LISTEN": "127.0.0.1:26000", "CPS_BRIDGE_ALLOW_ORIGIN": "https://env.example.fr, https://env2.example.fr"]
        let config = try ServeConfiguration.resolve(commandLine: Settings(listen: "127.0.0.1:27000"), environment: env, file: file)
        #expect(config.port == 27000)
        #expect(config.origins.allowed == ["https://env.example.fr", "https://env2.example.fr"])
        #expect(config.logLevel == "debug")
        #expect(config.pinentryProgram == "/usr/bin/pinentry-gnome3")
    }

    @Test func defaultsToLoopbackPort24830() throws {
        let config = try ServeConfiguration.resolve(commandLine: Settings(allowOrigins: ["https://a.fr"]), environment: [:], file: nil)
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 24830)
        #expect(config.logLevel == "info")
    }

    @Test(arguments: [
        (Settings(allowOrigins: []), "no allowed origin"),
        (Settings(listen: "0.0.0.0:24830", allowOrigins: ["https://a.fr"]), "loopback only"),
        (Settings(listen: "192.168.1.2:24830", allowOrigins: ["https://a.fr"]), "loopback only"),
        (Settings(listen: "127.0.0.1:99999", allowOrigins: ["https://a.fr"]), "port from 1 to 65535"),
        (Settings(allowOrigins: ["http://a.fr"]), "--allow-insecure-origins"),
        (Settings(allowOrigins: ["https://a.fr"], allowPagePIN: ["https://b.fr"]), "must also be an allowed origin"),
        (Settings(allowOrigins: ["https://a.fr"], logLevel: "loud"), "log-level"),
        (Settings(allowOrigins: ["https://a.fr"], dispatcher: "dispatch.sock"), "absolute path"),
        (Settings(listen: "127.0.0.1:24830", allowOrigins: ["https://a.fr"], dispatcher: "/run/cps-bridge/dispatch.sock"), "drop listen"),
    ])
    func badSettingsGetPreciseErrors(settings: Settings, message: String) {
        #expect {
            try ServeConfiguration.resolve(commandLine: settings, environment: [:], file: nil)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    @Test func badFileLinesNameTheLine() {
        #expect(throws: ConfigurationError.fileLine(2, "unknown setting \"allow-orign\"")) {
            try ServeConfiguration.resolve(commandLine: Settings(), environment: [:], file: "listen = 127.0.0.1:1\nallow-orign = https://a.fr\n")
        }
        #expect(throws: ConfigurationError.fileLine(1, "expected key = value")) {
            try ServeConfiguration.resolve(commandLine: Settings(), environment: [:], file: "just words")
        }
    }

    @Test func theDispatcherComesFromEachSource() throws {
        let fromFile = try ServeConfiguration.resolve(commandLine: Settings(allowOrigins: ["https://a.fr"]), environment: [:],
                                                      file: "dispatcher = /run/cps-bridge/dispatch.sock")
        #expect(fromFile.dispatcher == "/run/cps-bridge/dispatch.sock")
        let fromEnvironment = try ServeConfiguration.resolve(commandLine: Settings(allowOrigins: ["https://a.fr"]),
                                                             environment: ["CPS_BRIDGE_DISPATCHER": "/tmp/d.sock"], file: nil)
        #expect(fromEnvironment.dispatcher == "/tmp/d.sock")
        #expect(try ServeConfiguration.resolve(commandLine: Settings(allowOrigins: ["https://a.fr"]), environment: [:], file: nil).dispatcher == nil)
    }
}
