import CardTestBed
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One of the two daemons `cps-bench peer` compares on the same bed: how to start it, where its
/// WebSocket is, what to ask it and how to read its answers.
struct PeerTarget: Sendable {
    enum Kind: Sendable { case cpsBridge, ausweisApp }

    let kind: Kind
    let binary: String
    /// The column's title in the table.
    var name: String { kind == .cpsBridge ? "cps-bridge" : "AusweisApp2" }
    /// The WebSocket's path: ours, and the AusweisApp2 SDK's.
    var path: String { kind == .cpsBridge ? "/v1/ws" : "/eID-Kernel" }
    /// The `Origin` sent (ours: an allowed page, so that `status` is answered as for a page).
    var origin: String? { kind == .cpsBridge ? DaemonProcess.benchOrigins(1)[0] : nil }

    /// The cheapest question: our `status`, the SDK's `GET_INFO` (version information).
    func request(_ id: Int) -> String {
        kind == .cpsBridge ? "{\"v\":1,\"type\":\"status\",\"id\":\"\(id)\"}" : "{\"cmd\":\"GET_INFO\"}"
    }

    /// Whether `message` answers `request(id)`.
    func isAnswer(_ message: String, id: Int) -> Bool {
        kind == .cpsBridge ? message.contains("\"id\":\"\(id)\"") : message.contains("\"msg\":\"INFO\"")
    }

    /// The question whose answer lists the readers: our `status`, the SDK's `GET_READER_LIST`.
    func readersRequest(_ id: Int) -> String {
        kind == .cpsBridge ? request(id) : "{\"cmd\":\"GET_READER_LIST\"}"
    }

    func isReaderList(_ message: String, id: Int) -> Bool {
        kind == .cpsBridge ? isAnswer(message, id: id) : message.contains("\"msg\":\"READER_LIST\"")
    }

    /// Whether `message` is a card event (ours: `cardInserted`/`cardRemoved`; the SDK's: `READER`).
    func isCardEvent(_ message: String) -> Bool {
        kind == .cpsBridge
            ? message.contains("\"cardInserted\"") || message.contains("\"cardRemoved\"")
            : message.contains("\"msg\":\"READER\"")
    }

    /// Starts the daemon on the bed, listening on a free loopback port.
    func start(bed: CardBed, log: String) throws -> (SpawnedProcess, watcher: SpawnedProcess?, port: Int, launched: ContinuousClock.Instant) {
        let port = try LoopbackPorts.free()
        var environment = ProcessInfo.processInfo.environment
        environment["PCSCLITE_CSOCK_NAME"] = bed.socketPath
        let arguments: [String]
        switch kind {
        case .cpsBridge:
            environment["OPENSC_CONF"] = bed.openSCConfigPath
            let origin = DaemonProcess.benchOrigins(1)[0]
            arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--log-level", "warning",
                         "--allow-origin", origin, "--allow-page-pin", origin]
        case .ausweisApp:
            // Headless, its settings and runtime files in the bed, its log off (ours logs warnings only).
            let home = bed.directory.appendingPathComponent("ausweisapp-home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            environment["HOME"] = home.path
            environment["XDG_RUNTIME_DIR"] = home.path
            environment["XDG_CONFIG_HOME"] = home.appendingPathComponent(".config").path
            environment["QT_QPA_PLATFORM"] = "offscreen"
            environment["TMPDIR"] = home.path
            arguments = ["--ui", "websocket", "--port", String(port), "--address", "127.0.0.1", "--no-logfile"] + (ProcessInfo.processInfo.environment["PEER_AUSWEISAPP_LOG"] == nil ? ["--no-loghandler"] : [])
        }
        let launched = ContinuousClock.now
        let process = try SpawnedProcess([binary] + arguments, environment: environment, logPath: log)
        return (process, try? tieToThisProcess(process.pid), port, launched)
    }

    /// Debian's AusweisApp2, installed (`apt-get install --no-install-recommends ausweisapp2`) if missing.
    static func ausweisApp(_ path: String) throws -> PeerTarget {
        if !FileManager.default.isExecutableFile(atPath: path) {
            print("installing ausweisapp2 (apt-get install -y --no-install-recommends ausweisapp2)")
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("cps-bench-apt.log").path
            let apt = try SpawnedProcess(["/usr/bin/apt-get", "install", "-y", "--no-install-recommends", "ausweisapp2"], logPath: log)
            apt.wait(timeout: 900)
            guard FileManager.default.isExecutableFile(atPath: path) else { throw BenchError("ausweisapp2 could not be installed: see \(log)") }
        }
        return PeerTarget(kind: .ausweisApp, binary: path)
    }
}

/// The number of threads of `pid`.
func threadCount(pid: Int32) -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
}
