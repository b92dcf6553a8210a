import ArgumentParser
import CardTestBed
import Foundation
import PCSC
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// From pcscd reporting a card change to the WebSocket event of `cps-bridge serve`.
///
/// The daemon runs as a child; a WebSocket client (no `Origin`: a local program watching the
/// readers, PROTOCOL.md) and a PC/SC status-change wait on the reader run on threads of this
/// process. The simulated card is pulled and put back through its control socket; for each
/// change the figure is the WebSocket receive time minus the time our own
/// `SCardGetStatusChange` returned with the change (both on this process's monotonic clock).
/// pcscd wakes every waiting client at once, so our wake-up stands for the daemon's.
struct EventLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-latency",
        abstract: "Time from pcscd reporting a card change (our own PC/SC wait) to the daemon's WebSocket event.")

    @Option(help: "Pull-and-insert cycles (one removal and one insertion each).") var cycles = 100
    @OptionGroup var daemon: DaemonBinaryOption
    @OptionGroup var card: CardOptions

    enum Change: String, Sendable { case inserted, removed }

    /// What the two watcher threads saw, with their times.
    final class Recorder: Sendable {
        struct Seen: Sendable {
            var pcsc: [Change: [ContinuousClock.Instant]] = [:]
            var websocket: [Change: [ContinuousClock.Instant]] = [:]
            var websocketReady = false
            var stop = false
            var failure: String?
        }
        let seen = Mutex(Seen())
    }

    func run() async throws {
        printHeader("event-latency")
        let cycles = cycles
        let binary = daemon.path
        let (latencies, pcscDelays, misses, extra) = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let bed = try CardBed.shared()
            let server = try DaemonProcess.serve(binary: binary, origins: DaemonProcess.benchOrigins(1), bed: bed,
                                                 logPath: bed.directory.appendingPathComponent("serve.log").path)
            defer { server.stop() }
            try server.waitUntilListening()
            let recorder = Recorder()
            let reader = card.reader.name
            let port = server.port

            // Our PC/SC wake-ups: a blocking wait with no timeout on a context of our own.
            let context = try PCSCContext()
            let pcscThread = Thread {
                do {
                    var states = [ReaderState(reader: reader)]
                    try context.waitForStatusChange(&states, timeoutMilliseconds: 0)
                    var present = states[0].flags.contains(.present)
                    while true {
                        states[0].acknowledge()
                        try context.waitForStatusChange(&states, timeoutMilliseconds: nil)
                        let now = ContinuousClock.now
                        // Only presence flips: pcscd also reports other changes of the reader's
                        // state (the card powered up after an insertion, its event counter).
                        let isPresent = states[0].flags.contains(.present)
                        if isPresent != present {
                            let change: Change = isPresent ? .inserted : .removed
                            recorder.seen.withLock { $0.pcsc[change, default: []].append(now) }
                        }
                        present = isPresent
                    }
                } catch {
                    recorder.seen.withLock { if !$0.stop { $0.failure = "PC/SC wait: \(error)" } }
                }
            }
            // The page's side: every cardInserted / cardRemoved event, timed on receipt.
            let wsThread = Thread {
                do {
                    let socket = try RawWebSocket(port: port, origin: nil, timeoutSeconds: 1)
                    guard socket.status == 101 else { throw BenchError("upgrade refused: \(socket.status)") }
                    _ = try socket.receive()  // the status sent on connect
                    recorder.seen.withLock { $0.websocketReady = true }
                    while !recorder.seen.withLock({ $0.stop }) {
                        let received: String?
                        do { received = try socket.receive() } catch { continue }  // 1 s timeouts
                        guard let message = received else { throw BenchError("the daemon closed the WebSocket") }
                        let now = ContinuousClock.now
                        let change: Change? = message.contains("\"cardInserted\"") ? .inserted : message.contains("\"cardRemoved\"") ? .removed : nil
                        if let change { recorder.seen.withLock { $0.websocket[change, default: []].append(now) } }
                    }
                } catch {
                    recorder.seen.withLock { $0.failure = "WebSocket: \(error)" }
                }
            }
            pcscThread.start()
            wsThread.start()
            defer {
                recorder.seen.withLock { $0.stop = true }
                try? context.cancel()
            }
            let readyBy = Date().addingTimeInterval(10)
            while !recorder.seen.withLock({ $0.websocketReady || $0.failure != nil }) && Date() < readyBy { usleep(10_000) }
            guard recorder.seen.withLock({ $0.websocketReady }) else { throw BenchError(recorder.seen.withLock { $0.failure } ?? "no WebSocket") }
            usleep(500_000)

            var latencies: [Change: Samples] = [:]
            var pcscDelays: [Change: Samples] = [:]
            var misses = 0, extra = 0
            for _ in 0..<cycles {
                for (command, change) in [("remove", Change.removed), ("insert", Change.inserted)] {
                    let before = recorder.seen.withLock { ($0.pcsc[change]?.count ?? 0, $0.websocket[change]?.count ?? 0) }
                    let sent = ContinuousClock.now
                    try card.control(command)
                    let deadline = Date().addingTimeInterval(5)
                    var seen = recorder.seen.withLock { $0 }
                    while (seen.pcsc[change]?.count ?? 0) <= before.0 || (seen.websocket[change]?.count ?? 0) <= before.1 {
                        if let failure = seen.failure { throw BenchError(failure) }
                        guard Date() < deadline else { break }
                        usleep(1_000)
                        seen = recorder.seen.withLock { $0 }
                    }
                    let pcscTimes = seen.pcsc[change] ?? [], websocketTimes = seen.websocket[change] ?? []
                    if pcscTimes.count > before.0, websocketTimes.count > before.1 {
                        // The first report of each side after the command.
                        let pcsc = pcscTimes[before.0], websocket = websocketTimes[before.1]
                        latencies[change, default: Samples()].append(websocket - pcsc)
                        pcscDelays[change, default: Samples()].append(pcsc - sent)
                        if pcscTimes.count > before.0 + 1 || websocketTimes.count > before.1 + 1 { extra += 1 }
                    } else {
                        // Not seen in 5 s (vpcd sometimes misses a reconnection: docs/TESTING.md): pull and insert
                        // again as a person would, and leave this one out.
                        misses += 1
                        if change == .inserted { try card.reinsert() }
                        usleep(500_000)
                    }
                    // Pace: pcscd polls vpcd every ~400 ms; land at varying points of its cycle.
                    usleep(UInt32.random(in: 50_000...450_000))
                }
            }
            return (latencies, pcscDelays, misses, extra)
        }
        for change in [Change.inserted, .removed] {
            guard let samples = latencies[change] else { continue }
            print("\(change == .inserted ? "insert" : "remove"): WebSocket event - our PC/SC wake-up: \(samples.summary)")
            print("        min \(ms(samples.values.min() ?? 0)) ms; control command to PC/SC wake-up (pcscd's polling): \(pcscDelays[change]!.summary)")
        }
        print("changes left out (not seen by both within 5 s): \(misses); changes reported more than once: \(extra)")
    }
}
