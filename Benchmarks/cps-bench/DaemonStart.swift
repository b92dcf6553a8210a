import ArgumentParser
import CardTestBed
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// From exec of `cps-bridge serve` to its first `GET /v1/status` answer listing the reader
/// and the card (kind, holder, PIN state: the card is read), a new daemon each run.
struct DaemonStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon-start",
        abstract: "Time from exec of cps-bridge serve to a first /v1/status listing the reader and the card.")

    @Option(help: "Daemon starts.") var runs = 20
    @OptionGroup var daemon: DaemonBinaryOption
    @OptionGroup var card: CardOptions

    func run() async throws {
        printHeader("daemon-start")
        let runs = runs
        let binary = daemon.path
        let (listening, answered) = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let bed = try CardBed.shared()
            var listening = Samples(), answered = Samples()
            for run in 0..<runs {
                let server = try DaemonProcess.serve(binary: binary, origins: DaemonProcess.benchOrigins(1), bed: bed,
                                                     logPath: bed.directory.appendingPathComponent("serve-\(run).log").path)
                defer { server.stop() }
                var firstConnect: Duration?
                while true {
                    guard ContinuousClock.now - server.launched < .seconds(20) else { throw BenchError("no status listing the card after 20 s: \(server.log)") }
                    guard let connection = try? RawHTTPConnection(port: server.port) else {
                        usleep(500)
                        continue
                    }
                    if firstConnect == nil { firstConnect = ContinuousClock.now - server.launched }
                    if let status = try? connection.request("GET", "/v1/status"), status.status == 200,
                       status.text.contains("\"kind\":\"cps3\""), status.text.contains("\"holder\":{") {
                        answered.append(ContinuousClock.now - server.launched)
                        break
                    }
                    usleep(500)
                }
                listening.append(firstConnect!)
                server.stop()
                usleep(200_000)
            }
            return (listening, answered)
        }
        print("exec to accepting connections:        \(listening.summary)")
        print("exec to a /v1/status listing the card: \(answered.summary)")
    }
}
