import ArgumentParser
import CardTestBed
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Resident memory of `cps-bridge serve` against `bare-server` (Hummingbird + WebSocket with
/// OpenSC loaded), both on the same bed and card: idle, after one status request, and with
/// one WebSocket client connected. Each `--binaries` folder (a build) is measured in turn.
struct DaemonMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon-memory",
        abstract: "Resident memory of cps-bridge serve and of bare-server: idle, after a status request, with a WebSocket client.")

    @Option(help: "A folder holding cps-bridge and bare-server (repeat to compare builds; default: next to cps-bench).")
    var binaries: [String] = []
    @Option(help: "Seconds to let each server settle before each reading.") var settle = 3
    @OptionGroup var card: CardOptions

    struct Row: Sendable {
        var build: String, server: String
        var idle = DaemonProcess.Memory(), status = DaemonProcess.Memory(), websocket = DaemonProcess.Memory()
        var size = 0
    }

    func run() async throws {
        printHeader("daemon-memory")
        let folders = binaries.isEmpty ? [TestEnvironment.binDirectory.path] : binaries
        let settle = UInt32(settle)
        let rows = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let bed = try CardBed.shared()
            var rows: [Row] = []
            for folder in folders {
                for name in ["cps-bridge", "bare-server"] {
                    let binary = URL(fileURLWithPath: folder).appendingPathComponent(name).path
                    let log = bed.directory.appendingPathComponent("\(name)-\(rows.count).log").path
                    let server: DaemonProcess
                    if name == "cps-bridge" {
                        server = try DaemonProcess.serve(binary: binary, origins: DaemonProcess.benchOrigins(1), bed: bed, logPath: log)
                    } else {
                        let port = try LoopbackPorts.free()
                        server = try DaemonProcess(binary: binary, arguments: [String(port)], port: port, bed: bed, logPath: log)
                    }
                    defer { server.stop() }
                    try server.waitUntilListening()
                    var row = Row(build: folder, server: name)
                    row.size = ((try? FileManager.default.attributesOfItem(atPath: binary)[.size]) as? Int) ?? 0
                    sleep(settle)
                    row.idle = DaemonProcess.memory(pid: server.pid)
                    let status = try RawHTTPConnection(port: server.port).request("GET", name == "cps-bridge" ? "/v1/status" : "/status")
                    guard status.status == 200, name == "bare-server" ? status.text.count > 1 : status.text.contains("\"cps3\"") else {
                        throw BenchError("\(name) status: \(status.status) \(status.text)")
                    }
                    sleep(settle)
                    row.status = DaemonProcess.memory(pid: server.pid)
                    let socket = try RawWebSocket(port: server.port, path: name == "cps-bridge" ? "/v1/ws" : "/ws", origin: nil)
                    guard socket.status == 101 else { throw BenchError("\(name): upgrade refused \(socket.status)") }
                    if name == "bare-server" { try socket.send("ping") }
                    guard try socket.receive() != nil else { throw BenchError("\(name): no WebSocket message") }
                    sleep(settle)
                    row.websocket = DaemonProcess.memory(pid: server.pid)
                    rows.append(row)
                }
            }
            return rows
        }
        print("VmRSS (RssAnon, RssFile; Pss from smaps_rollup), MiB; after \(settle) s of rest each:")
        for row in rows {
            print("\(row.server) [\(row.build)] (\(String(format: "%.1f", Double(row.size) / 1_048_576)) MiB binary)")
            print("  idle:               \(row.idle.text)")
            print("  after GET status:   \(row.status.text)")
            print("  + WebSocket client: \(row.websocket.text)")
        }
        for folder in folders {
            guard let daemon = rows.first(where: { $0.build == folder && $0.server == "cps-bridge" }),
                  let bare = rows.first(where: { $0.build == folder && $0.server == "bare-server" }) else { continue }
            let delta = Double(daemon.websocket.rss - bare.websocket.rss) / 1024
            let deltaPss = Double(daemon.websocket.pss - bare.websocket.pss) / 1024
            print("cps-bridge - bare-server with a client [\(folder)]: RSS \(String(format: "%+.1f", delta)) MiB, Pss \(String(format: "%+.1f", deltaPss)) MiB")
        }
    }
}
