import ArgumentParser
import CardTestBed
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A server binary (`cps-bridge serve`, or `bare-server`) started as a child of the bench on
/// the bed's pcscd, listening on a free loopback port.
///
/// Started with `Process` (no shell in between) so that the time from exec can be measured
/// and the PID is the server's own (for `strace -p` and `/proc/PID`). Stopped with SIGTERM
/// by `stop()` or when the object goes away.
final class DaemonProcess {
    let process: SpawnedProcess
    let binary: String
    let port: Int
    let logPath: String
    /// The monotonic instant just before `posix_spawn`.
    let launched: ContinuousClock.Instant
    private let watcher: SpawnedProcess?

    var pid: Int32 { process.pid }

    /// The origins the bench uses: `https://bench.example` first. The daemon admits 30 logins
    /// a minute per origin (RequestGate), so a long series rotates over several.
    static func benchOrigins(_ count: Int) -> [String] {
        ["https://bench.example"] + (1..<max(count, 1)).map { "https://bench\($0).example" }
    }

    /// `cps-bridge serve` allowing `origins` (and their page PIN), on a free port.
    static func serve(binary: String, origins: [String], bed: CardBed, logPath: String, logLevel: String = "warning") throws -> DaemonProcess {
        let port = try LoopbackPorts.free()
        var arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--log-level", logLevel]
        for origin in origins { arguments += ["--allow-origin", origin, "--allow-page-pin", origin] }
        return try DaemonProcess(binary: binary, arguments: arguments, port: port, bed: bed, logPath: logPath)
    }

    init(binary: String, arguments: [String], port: Int, bed: CardBed, logPath: String) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("\(binary) is not built (swift build -c release --product \(URL(fileURLWithPath: binary).lastPathComponent))")
        }
        self.binary = binary
        self.port = port
        self.logPath = logPath
        var environment = ProcessInfo.processInfo.environment
        environment["PCSCLITE_CSOCK_NAME"] = bed.socketPath
        environment["OPENSC_CONF"] = bed.openSCConfigPath
        launched = ContinuousClock.now
        process = try SpawnedProcess([binary] + arguments, environment: environment, logPath: logPath)
        watcher = try? tieToThisProcess(process.pid)
    }

    deinit { stop() }

    /// Waits until the server accepts connections; returns the time since exec.
    @discardableResult
    func waitUntilListening(timeout: Duration = .seconds(20)) throws -> Duration {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("\(URL(fileURLWithPath: binary).lastPathComponent) exited: \(log)") }
            if (try? RawHTTPConnection(port: port)) != nil { return ContinuousClock.now - launched }
            usleep(1_000)
        }
        throw BenchError("nothing listens on \(port) after \(timeout): \(log)")
    }

    /// SIGTERM (the daemon's graceful shutdown), then SIGKILL after 5 s.
    func stop() {
        process.stop()
        watcher?.stop()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Resident memory of a process, in KiB: `VmRSS`, `RssAnon`, `RssFile` of `/proc/PID/status`
    /// and `Pss` of `/proc/PID/smaps_rollup`.
    struct Memory: Sendable {
        var rss = 0, anon = 0, file = 0, pss = 0
        /// `46.5 MiB (anon 20.1, file 26.4; Pss 40.2)`
        var text: String {
            String(format: "%.1f MiB (anon %.1f, file %.1f; Pss %.1f)", Double(rss) / 1024, Double(anon) / 1024, Double(file) / 1024, Double(pss) / 1024)
        }
    }

    static func memory(pid: Int32) -> Memory {
        func field(_ file: String, _ name: String) -> Int {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return Memory(rss: field("status", "VmRSS"), anon: field("status", "RssAnon"), file: field("status", "RssFile"),
                      pss: field("smaps_rollup", "Pss"))
    }
}

/// The binaries built next to `cps-bench` (same configuration), unless given.
func siblingBinary(_ name: String, override: String? = nil) -> String {
    override ?? TestEnvironment.binDirectory.appendingPathComponent(name).path
}

/// A fresh 32-byte nonce in base64 (44 characters), as a federator sends.
func freshNonce() -> String {
    Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
}

/// `--daemon PATH`: the `cps-bridge` binary the daemon subcommands start.
struct DaemonBinaryOption: ParsableArguments {
    @Option(help: "The cps-bridge binary (default: next to cps-bench).") var daemon: String?

    /// The binary: `--daemon`, or `cps-bridge` beside `cps-bench`.
    var path: String { siblingBinary("cps-bridge", override: daemon) }
}
