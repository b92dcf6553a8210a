import CardTestBed
import Foundation
import PCSC
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Card events for `cps-bench peer`: the card pulled and put back through the simulator, our own
/// blocking PC/SC wait timing pcscd's report, a WebSocket client timing the daemon's event.
/// pcscd's part: control command to our PC/SC wake-up; the daemon's part: that wake-up to the
/// first card event on the WebSocket (the same split as `event-latency`).
struct PeerEvents {
    typealias Change = EventLatency.Change
    let target: PeerTarget
    let card: SimulatedCard
    let port: Int
    let cycles: Int

    func measure() throws -> [Change: (pcscd: Samples, daemon: Samples)] {
        // `websocket[.inserted]` holds every card event of the daemon, whichever the change.
        let recorder = EventLatency.Recorder()
        let reader = card.reader.name
        let context = try PCSCContext()
        Thread {
            do {
                var states = [ReaderState(reader: reader)]
                try context.waitForStatusChange(&states, timeoutMilliseconds: 0)
                var present = states[0].flags.contains(.present)
                while true {
                    states[0].acknowledge()
                    try context.waitForStatusChange(&states, timeoutMilliseconds: nil)
                    let now = ContinuousClock.now
                    let isPresent = states[0].flags.contains(.present)
                    if isPresent != present {
                        recorder.seen.withLock { $0.pcsc[isPresent ? .inserted : .removed, default: []].append(now) }
                    }
                    present = isPresent
                }
            } catch {
                recorder.seen.withLock { if !$0.stop { $0.failure = "PC/SC wait: \(error)" } }
            }
        }.start()
        let target = target, port = port
        Thread {
            do {
                let socket = try RawWebSocket(port: port, path: target.path, origin: target.origin, timeoutSeconds: 1)
                guard socket.status == 101 else { throw BenchError("upgrade refused: \(socket.status)") }
                recorder.seen.withLock { $0.websocketReady = true }
                while !recorder.seen.withLock({ $0.stop }) {
                    let received: String?
                    do { received = try socket.receive() } catch { continue }  // 1 s timeouts
                    guard let message = received else { throw BenchError("the daemon closed the WebSocket") }
                    let now = ContinuousClock.now
                    if target.isCardEvent(message) { recorder.seen.withLock { $0.websocket[.inserted, default: []].append(now) } }
                }
            } catch {
                recorder.seen.withLock { $0.failure = "WebSocket: \(error)" }
            }
        }.start()
        defer {
            recorder.seen.withLock { $0.stop = true }
            try? context.cancel()
            usleep(1_200_000)  // the WebSocket thread's receive timeout: closed before the next series
        }
        let readyBy = Date().addingTimeInterval(10)
        while !recorder.seen.withLock({ $0.websocketReady || $0.failure != nil }) && Date() < readyBy { usleep(10_000) }
        guard recorder.seen.withLock({ $0.websocketReady }) else { throw BenchError(recorder.seen.withLock { $0.failure } ?? "no WebSocket") }
        usleep(1_000_000)

        var result: [Change: (pcscd: Samples, daemon: Samples)] = [:]
        var misses = 0
        for _ in 0..<cycles {
            for (command, change) in [("remove", Change.removed), ("insert", Change.inserted)] {
                let before = recorder.seen.withLock { ($0.pcsc[change]?.count ?? 0, $0.websocket[.inserted]?.count ?? 0) }
                let sent = ContinuousClock.now
                try card.control(command)
                let deadline = Date().addingTimeInterval(5)
                var seen = recorder.seen.withLock { $0 }
                while (seen.pcsc[change]?.count ?? 0) <= before.0 || (seen.websocket[.inserted]?.count ?? 0) <= before.1 {
                    if let failure = seen.failure { throw BenchError(failure) }
                    guard Date() < deadline else { break }
                    usleep(1_000)
                    seen = recorder.seen.withLock { $0 }
                }
                let pcscTimes = seen.pcsc[change] ?? [], events = seen.websocket[.inserted] ?? []
                if pcscTimes.count > before.0, events.count > before.1 {
                    var samples = result[change] ?? (Samples(), Samples())
                    samples.pcscd.append(pcscTimes[before.0] - sent)
                    samples.daemon.append(events[before.1] - pcscTimes[before.0])
                    result[change] = samples
                } else {
                    misses += 1
                    if change == .inserted { try card.reinsert() }
                    usleep(500_000)
                }
                // Let late duplicates of this change arrive before the next, then pace.
                usleep(UInt32.random(in: 300_000...700_000))
            }
        }
        print("changes left out (not seen by both within 5 s): \(misses)")
        return result
    }
}

extension PeerRun {
    /// `count` clients upgrading at once: how many got `101`, each one's time from the common
    /// start to its `101`, and the time until the last answer.
    func simultaneousUpgrades(port: Int, count: Int) -> (Int, Samples, Double, String) {
        let go = Mutex(false)
        let results = Mutex<[(Int, Duration)]>([])
        let release = Mutex(false)
        let start = Mutex<ContinuousClock.Instant?>(nil)
        let target = target
        let threads = (0..<count).map { _ in
            Thread {
                while !go.withLock({ $0 }) { usleep(100) }
                let socket = try? RawWebSocket(port: port, path: target.path, origin: target.origin, timeoutSeconds: 20)
                let elapsed = ContinuousClock.now - start.withLock { $0! }
                results.withLock { $0.append((socket?.status ?? 0, elapsed)) }
                // Held open until every client has its answer.
                while !release.withLock({ $0 }) { usleep(10_000) }
                withExtendedLifetime(socket) {}
            }
        }
        threads.forEach { $0.start() }
        usleep(200_000)
        start.withLock { $0 = ContinuousClock.now }
        go.withLock { $0 = true }
        let deadline = Date().addingTimeInterval(60)
        while results.withLock({ $0.count }) < count && Date() < deadline { usleep(1_000) }
        let all = results.withLock { $0 }
        var samples = Samples()
        for (_, elapsed) in all { samples.append(elapsed) }
        let upgraded = all.filter { $0.0 == 101 }.count
        var byStatus: [Int: Int] = [:]
        all.forEach { byStatus[$0.0, default: 0] += 1 }
        let statuses = byStatus.sorted { $0.key < $1.key }.map { "\($0.value) x \($0.key == 0 ? "no answer" : String($0.key))" }.joined(separator: ", ")
        release.withLock { $0 = true }  // close them all
        usleep(500_000)
        return (upgraded, samples, samples.values.max() ?? 0, statuses)
    }
}
