import ArgumentParser
import CardTestBed
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `cps-bench peer`: cps-bridge and Debian's AusweisApp2 (the German eID daemon, a localhost
/// WebSocket too) side by side on one bed, one after the other in one run.
struct Peer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "cps-bridge serve and AusweisApp2 (--ui websocket) on the same bed: start, memory, wake-ups, round trip, events, upgrades.")

    @Option(help: "Starts per daemon.") var starts = 5
    @Option(help: "WebSocket round trips per daemon.") var rounds = 1000
    @Option(help: "Seconds of each idle window (no client, then one client).") var idle = 30
    @Option(help: "Pull-and-insert cycles per daemon.") var cycles = 20
    @Option(help: "Simultaneous upgrades (repeatable).") var upgrades: [Int] = [50, 500]
    @Option(help: "The AusweisApp2 binary.") var ausweisApp = "/usr/bin/AusweisApp2"
    @OptionGroup var daemon: DaemonBinaryOption

    func run() async throws {
        printHeader("peer")
        let targets = [PeerTarget(kind: .cpsBridge, binary: daemon.path), try PeerTarget.ausweisApp(ausweisApp)]
        let options = PeerSettings(starts: starts, rounds: rounds, idle: idle, cycles: cycles, upgrades: upgrades)
        let rows = try await BenchBed.withCard(arguments: ["--signature-delay-ms", "0"]) { card in
            let bed = try CardBed.shared()
            var rows: [[String]] = []
            for target in targets {
                print("-- \(target.name) (\(target.binary))")
                rows.append(try PeerRun(target: target, card: card, bed: bed, options: options).measure())
            }
            return rows
        }
        print("\n| figure | \(targets.map(\.name).joined(separator: " | ")) |")
        print("|---|" + String(repeating: "---|", count: targets.count))
        let labels = PeerRun.labels + upgrades.map { "\($0) simultaneous upgrades" }
        for (index, label) in labels.enumerated() {
            print("| \(label) | \(rows.map { $0[index] }.joined(separator: " | ")) |")
        }
    }
}

/// The figures' sizes, from the command line.
struct PeerSettings: Sendable {
    let starts: Int, rounds: Int, idle: Int, cycles: Int, upgrades: [Int]
}

/// One daemon's series on the bed.
struct PeerRun {
    let target: PeerTarget
    let card: SimulatedCard
    let bed: CardBed
    let options: PeerSettings

    static let labels = [
        "exec to first answer, median (max) ms", "exec to readers known, median (max) ms",
        "exec to first answer, no card in the readers, median (max) ms",
        "idle, no client: RSS / Pss MiB", "idle, no client: threads, wake-ups in the window",
        "idle, no client, the next window: wake-ups",
        "idle, one client: RSS / Pss MiB", "idle, one client: wake-ups in the window",
        "round trip p50 / p99 ms", "insertion: pcscd's part / daemon's part, median (p99) ms",
        "removal: pcscd's part / daemon's part, median (p99) ms",
    ]

    func log(_ name: String) -> String { bed.directory.appendingPathComponent("\(target.kind)-\(name).log").path }

    func measure() throws -> [String] {
        var row: [String] = []
        // Start-up, `starts` times: a new daemon each time.
        var first = Samples(), known = Samples()
        for run in 0..<options.starts {
            let (process, watcher, port, launched) = try target.start(bed: bed, log: log("start\(run)"))
            defer { process.stop(); watcher?.stop() }
            let (answered, listed) = try startUp(process: process, port: port, launched: launched)
            first.append(answered)
            known.append(listed)
        }
        row.append("\(ms(first.percentile(50))) (\(ms(first.values.max() ?? 0)))")
        row.append("\(ms(known.percentile(50))) (\(ms(known.values.max() ?? 0)))")
        print("start: first answer \(first.summary); readers known \(known.summary)")

        // Start-up with the card out (a workstation at boot, before the card goes in): ours
        // then needs no PKCS#11 module to answer.
        _ = try card.control("remove")
        try card.waitForPresence(false)
        var empty = Samples()
        for run in 0..<options.starts {
            let (process, watcher, port, launched) = try target.start(bed: bed, log: log("start-empty\(run)"))
            defer { process.stop(); watcher?.stop() }
            empty.append(try firstAnswer(process: process, port: port, launched: launched))
        }
        try card.reinsert()
        row.append("\(ms(empty.percentile(50))) (\(ms(empty.values.max() ?? 0)))")
        print("start, no card: first answer \(empty.summary)")

        // One long-lived daemon for the rest.
        let (process, watcher, port, launched) = try target.start(bed: bed, log: log("serve"))
        defer { process.stop(); watcher?.stop() }
        _ = try startUp(process: process, port: port, launched: launched)
        // Ours: the card bound through OpenSC (one status answered), then no client.
        usleep(3_000_000)
        let alone = DaemonProcess.memory(pid: process.pid)
        let aloneRate = try wakeups(pid: process.pid, "idle-no-client")
        row.append(memoryCell(alone))
        keepSmaps(pid: process.pid)
        row.append("\(threadCount(pid: process.pid)) threads; \(aloneRate)")
        print("idle, no client: \(alone.text); \(threadCount(pid: process.pid)) threads")
        // The first window starts 3 s after the start-up's last client left, so it also holds
        // what that activity leaves behind (timers that were cancelled but stay armed, threads
        // that end a few seconds after their last job). The next window is the steady state.
        row.append(try wakeups(pid: process.pid, "idle-no-client-next"))

        // One client (the SDK allows one at a time): idle with it, then the round trips over it.
        do {
            let client = try RawWebSocket(port: port, path: target.path, origin: target.origin, timeoutSeconds: 5)
            guard client.status == 101 else { throw BenchError("\(target.name): upgrade refused (\(client.status))") }
            if target.kind == .cpsBridge { _ = try client.receive() }  // the status sent on connect
            usleep(3_000_000)
            let withClient = DaemonProcess.memory(pid: process.pid)
            let clientRate = try wakeups(pid: process.pid, "idle-one-client")
            row.append(memoryCell(withClient))
            row.append(clientRate)
            print("idle, one client: \(withClient.text)")

            let trips = try roundTrips(client)
            row.append("\(ms(trips.percentile(50))) / \(ms(trips.percentile(99)))")
            print("round trip (\(options.rounds)): \(trips.summary)")
        }

        let events = try PeerEvents(target: target, card: card, port: port, cycles: options.cycles).measure()
        for change in [EventLatency.Change.inserted, .removed] {
            let (pcscd, daemon) = events[change] ?? (Samples(), Samples())
            guard pcscd.count > 0 else {
                row.append("no event")
                print("\(change): no event seen")
                continue
            }
            row.append("\(ms(pcscd.percentile(50))) (\(ms(pcscd.percentile(99)))) / \(ms(daemon.percentile(50))) (\(ms(daemon.percentile(99))))")
            print("\(change): pcscd \(pcscd.summary); daemon \(daemon.summary)")
        }
        for count in options.upgrades {
            let (upgraded, times, wall, statuses) = simultaneousUpgrades(port: port, count: count)
            guard times.count > 0 else { row.append("none answered"); continue }
            row.append("\(upgraded)/\(count) upgraded (\(statuses)); p50 \(ms(times.percentile(50))), p99 \(ms(times.percentile(99))); all in \(ms(wall))")
            print("\(count) simultaneous upgrades: \(upgraded) answered 101; per connection \(times.summary); last after \(ms(wall)) ms")
        }
        return row
    }

    /// A copy of the idle daemon's `/proc/PID/smaps` in test-artifacts/ (ignored by git), for
    /// `scripts/smaps-by-mapping.sh FILE`.
    private func keepSmaps(pid: Int32) {
        let directory = URL(fileURLWithPath: "test-artifacts")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("peer-\(target.kind)-smaps.txt")
        // Read to the end: /proc files report a size of 0, and a single read stops at a page.
        if let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps"), let data = try? handle.readToEnd() {
            try? data.write(to: file)
            print("smaps kept in \(file.path)")
        }
    }

    private func memoryCell(_ memory: DaemonProcess.Memory) -> String {
        String(format: "%.1f / %.1f", Double(memory.rss) / 1024, Double(memory.pss) / 1024)
    }

    /// Wake-ups over `idle` seconds, as `daemon-idle` counts them (`strace -f -tt -T`: a return
    /// from a blocking wait that slept at least 1 ms; within 100 ms, one burst). The trace
    /// and its per-thread reading stay in test-artifacts/.
    private func wakeups(pid: Int32, _ name: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            print("strace is missing (apt-get install -y --no-install-recommends strace)")
            return "-"
        }
        let output = URL(fileURLWithPath: "test-artifacts").appendingPathComponent("peer-\(target.kind)-\(name).strace").path
        let trace = try Strace(pid: pid, arguments: ["-f", "-tt", "-T"], seconds: options.idle, output: output)
        trace.wait()
        let report = ThreadTrace.describe(trace.text, pid: pid, seconds: options.idle)
        try? report.write(toFile: output + ".txt", atomically: true, encoding: .utf8)
        let summary = report.split(separator: "\n").last.map(String.init) ?? ""
        print("  \(name): \(summary.trimmingCharacters(in: .whitespaces))  (\(output).txt)")
        // "=> N thread wake-ups in S s (R/s), in B bursts (Q/s)"
        let numbers = summary.split(whereSeparator: { " ()/".contains($0) }).compactMap { Double($0) }
        return numbers.count >= 5 ? String(format: "%.0f wake-ups in %.0f s (%.2f/s), %.0f bursts (%.2f/s)", numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]) : summary
    }

    /// From exec to the first answer over the WebSocket (a new connection every 0.5 ms until
    /// one is upgraded), whatever it lists.
    private func firstAnswer(process: SpawnedProcess, port: Int, launched: ContinuousClock.Instant) throws -> Duration {
        let deadline = ContinuousClock.now + .seconds(30)
        while let socket = try upgradedSocket(process: process, port: port, until: deadline) {
            try socket.send(target.request(1))
            while let text = try socket.receive() {
                if target.isAnswer(text, id: 1) { return ContinuousClock.now - launched }
            }
        }
        throw BenchError("\(target.name): no answer in 30 s")
    }

    /// The first WebSocket the daemon upgrades, trying a new connection every 0.5 ms; nil once
    /// `deadline` has passed.
    private func upgradedSocket(process: SpawnedProcess, port: Int, until deadline: ContinuousClock.Instant) throws -> RawWebSocket? {
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("\(target.name) exited at start") }
            if let socket = try? RawWebSocket(port: port, path: target.path, origin: target.origin, timeoutSeconds: 2),
               socket.status == 101 {
                return socket
            }
            usleep(500)
        }
        return nil
    }

    /// From exec to the first answer over the WebSocket, and to an answer that lists the bed's reader.
    private func startUp(process: SpawnedProcess, port: Int, launched: ContinuousClock.Instant) throws -> (Duration, Duration) {
        let deadline = ContinuousClock.now + .seconds(30)
        var answered: Duration?
        var id = 0
        var last = "nothing"
        while let socket = try upgradedSocket(process: process, port: port, until: deadline) {
            // AusweisApp2 1.26.2 starts its reader scan when a client takes the UI; a client
            // that connects before its reader manager is up can leave the scan unstarted (the
            // list stays empty): after 2 s without the reader, connect again.
            let opened = ContinuousClock.now
            while ContinuousClock.now < deadline, answered == nil || ContinuousClock.now - opened < .seconds(2) {
                id += 1
                let asksReaders = answered != nil
                try socket.send(asksReaders ? target.readersRequest(id) : target.request(id))
                var message = try socket.receive()
                while let text = message, !(asksReaders ? target.isReaderList(text, id: id) : target.isAnswer(text, id: id)) {
                    message = try socket.receive()
                }
                guard let text = message else { break }
                last = text
                let now = ContinuousClock.now
                if !asksReaders {
                    answered = now - launched
                    if text.contains(card.reader.name) && (target.kind == .ausweisApp || text.contains("\"cps3\"")) {
                        return (answered!, now - launched)
                    }
                    continue
                }
                // Ours: listed with the card recognised; the SDK's: the reader listed.
                if text.contains(card.reader.name) && (target.kind == .ausweisApp || text.contains("\"cps3\"")) {
                    return (answered!, now - launched)
                }
                usleep(500)
            }
        }
        throw BenchError("\(target.name): no answer listing \(card.reader.name) in 30 s; the last: \(last.prefix(600))")
    }

    private func roundTrips(_ socket: RawWebSocket) throws -> Samples {
        var samples = Samples()
        for id in 0..<(options.rounds + 20) {
            let start = ContinuousClock.now
            try socket.send(target.request(id))
            while true {
                guard let message = try socket.receive() else { throw BenchError("\(target.name) closed the WebSocket") }
                if target.isAnswer(message, id: id) { break }
            }
            if id >= 20 { samples.append(ContinuousClock.now - start) }  // 20 to warm up
        }
        return samples
    }
}
