import ArgumentParser
import CardTestBed
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What `cps-bridge serve` does when nothing happens, with a WebSocket client connected:
/// `strace -c -f` over a long period (syscall counts), then `strace -f -tt -T` over a short one
/// to find each periodic source (thread, syscall, interval). `bare-server` (Hummingbird +
/// WebSocket with OpenSC loaded) is traced alongside as the floor.
struct DaemonIdle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon-idle",
        abstract: "Syscalls and wake-ups of an idle cps-bridge serve with a WebSocket client (strace), beside bare-server.")

    @Option(help: "Seconds of `strace -c -f`.") var seconds = 60
    @Option(help: "Seconds of `strace -f -tt -T` (per-thread intervals).") var traceSeconds = 10
    @OptionGroup var daemon: DaemonBinaryOption
    @Option(help: "The bare-server binary (default: next to cps-bench; `none` to skip).") var bare: String?
    @OptionGroup var card: CardOptions

    func run() async throws {
        printHeader("daemon-idle")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw BenchError("strace is missing: apt-get install -y --no-install-recommends strace")
        }
        let seconds = seconds, traceSeconds = traceSeconds
        let daemonBinary = daemon.path
        let bareBinary = bare == "none" ? nil : siblingBinary("bare-server", override: bare)
        let reports = try await BenchBed.withCard(arguments: card.simulatorArguments) { card -> [String] in
            let bed = try CardBed.shared()
            var servers: [(name: String, server: DaemonProcess, client: WebSocketClientThread)] = []
            let daemon = try DaemonProcess.serve(binary: daemonBinary, origins: DaemonProcess.benchOrigins(1), bed: bed,
                                                 logPath: bed.directory.appendingPathComponent("serve.log").path)
            defer { daemon.stop() }
            try daemon.waitUntilListening()
            _ = try RawHTTPConnection(port: daemon.port).request("GET", "/v1/status")
            servers.append(("cps-bridge serve", daemon, try WebSocketClientThread(port: daemon.port, path: "/v1/ws", ping: false)))
            var bareServer: DaemonProcess?
            defer { bareServer?.stop() }
            if let bareBinary {
                let port = try LoopbackPorts.free()
                let bare = try DaemonProcess(binary: bareBinary, arguments: [String(port)], port: port, bed: bed,
                                             logPath: bed.directory.appendingPathComponent("bare.log").path)
                bareServer = bare
                try bare.waitUntilListening()
                _ = try RawHTTPConnection(port: port).request("GET", "/status")
                servers.append(("bare-server", bare, try WebSocketClientThread(port: port, path: "/ws", ping: true)))
            }
            sleep(3)
            // Both servers traced at once: the same minute for both.
            let counts = try servers.map { entry in
                try Strace(pid: entry.server.pid, arguments: ["-c", "-f"], seconds: seconds,
                           output: bed.directory.appendingPathComponent("strace-c-\(entry.server.pid).txt").path)
            }
            counts.forEach { $0.wait() }
            let traces = try servers.map { entry in
                try Strace(pid: entry.server.pid, arguments: ["-f", "-tt", "-T"], seconds: traceSeconds,
                           output: bed.directory.appendingPathComponent("strace-tt-\(entry.server.pid).txt").path)
            }
            traces.forEach { $0.wait() }
            // The raw traces stay for reading (test-artifacts/ is ignored by git).
            let kept = TestEnvironment.artifactsDirectory.appendingPathComponent("daemon-idle-\(getpid())")
            try? FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
            for (index, entry) in servers.enumerated() {
                let name = entry.name.hasPrefix("cps-bridge") ? "cps-bridge" : "bare-server"
                try? FileManager.default.copyItem(atPath: counts[index].output, toPath: kept.appendingPathComponent("\(name)-strace-c.txt").path)
                try? FileManager.default.copyItem(atPath: counts[index].output + ".log", toPath: kept.appendingPathComponent("\(name)-strace-c.log").path)
                try? FileManager.default.copyItem(atPath: traces[index].output, toPath: kept.appendingPathComponent("\(name)-strace-tt.txt").path)
            }
            var reports: [String] = ["raw traces in \(kept.path)"]
            for (index, entry) in servers.enumerated() {
                var report = "== \(entry.name) (PID \(entry.server.pid)), a WebSocket client connected\n"
                report += "strace -c -f -p \(entry.server.pid) over \(seconds) s:\n"
                let summary = counts[index].text
                report += summary.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
                report += StraceSummary(text: summary).describe(seconds: seconds)
                report += "strace -f -tt -T -p \(entry.server.pid) over \(traceSeconds) s, per thread:\n"
                report += ThreadTrace.describe(traces[index].text, pid: entry.server.pid, seconds: traceSeconds)
                reports.append(report)
            }
            for entry in servers where !entry.client.connected {
                reports.append("note: the WebSocket client of \(entry.name) was disconnected during the run")
            }
            return reports
        }
        reports.forEach { print($0) }
    }
}

/// A WebSocket client that stays connected on a thread of its own, receiving (and answering
/// the server's pings, as a browser does) until the process ends.
final class WebSocketClientThread: Sendable {
    private final class State: Sendable {
        let value = Mutex<(ready: Bool, connected: Bool, failure: String?)>((false, false, nil))
        func withLock<T>(_ body: (inout (ready: Bool, connected: Bool, failure: String?)) -> T) -> T { value.withLock { body(&$0) } }
    }
    private let state = State()

    var connected: Bool { state.withLock { $0.connected } }

    /// Connects to `path`, reads the first message (the status, or the echo of a first text
    /// when `ping`), then keeps receiving.
    init(port: Int, path: String, ping: Bool) throws {
        let state = self.state
        Thread {
            do {
                let socket = try RawWebSocket(port: port, path: path, origin: nil, timeoutSeconds: 5)
                guard socket.status == 101 else { throw BenchError("upgrade refused: \(socket.status)") }
                if ping { try socket.send("ping") }
                guard try socket.receive() != nil else { throw BenchError("closed at once") }
                state.withLock { $0 = (true, true, nil) }
                while true {
                    do {
                        guard try socket.receive() != nil else { break }
                    } catch {
                        continue  // receive timeout
                    }
                }
                state.withLock { $0.connected = false }
            } catch {
                state.withLock { $0 = (true, false, "\(error)") }
            }
        }.start()
        let deadline = Date().addingTimeInterval(10)
        while !state.withLock({ $0.ready }) && Date() < deadline { usleep(5_000) }
        let (ready, connected, failure) = state.withLock { $0 }
        guard ready, connected else { throw BenchError("WebSocket client on \(path): \(failure ?? "no answer")") }
    }
}

/// One `strace` attached to a process; `finish()` detaches it (SIGINT) after `seconds`.
final class Strace {
    let process: SpawnedProcess
    let output: String
    let started = Date()
    let seconds: Int

    init(pid: Int32, arguments: [String], seconds: Int, output: String) throws {
        self.output = output
        self.seconds = seconds
        // test-artifacts/ is not in a fresh clone.
        try FileManager.default.createDirectory(
            atPath: (output as NSString).deletingLastPathComponent.isEmpty ? "." : (output as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        process = try SpawnedProcess(["/usr/bin/strace"] + arguments + ["-o", output, "-p", String(pid)], logPath: output + ".log")
    }

    /// Waits until `seconds` have passed since the start, then detaches strace and waits for it.
    func wait() {
        let left = started.addingTimeInterval(TimeInterval(seconds)).timeIntervalSinceNow
        if left > 0 { usleep(UInt32(left * 1_000_000)) }
        process.stop(SIGINT, grace: .seconds(10))
    }

    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
}

/// The calls column of `strace -c`.
struct StraceSummary {
    var calls: [String: Int] = [:]

    init(text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, Double(fields[0]) != nil, let count = Int(fields[3]), let name = fields.last,
                  name != "total" else { continue }
            calls[String(name)] = count
        }
    }

    /// Waits returned per second: `epoll_wait` and `futex` calls (each returns once), timerfd use.
    func describe(seconds: Int) -> String {
        let per = { (name: String) in Double(calls[name] ?? 0) / Double(seconds) }
        let total = calls.values.reduce(0, +)
        return String(format: "  => %d syscalls (%.1f/s); epoll_wait %.2f/s, epoll_pwait %.2f/s, futex %.2f/s, timerfd_settime %.2f/s, read %.2f/s\n",
                      total, Double(total) / Double(seconds), per("epoll_wait"), per("epoll_pwait"), per("futex"), per("timerfd_settime"), per("read"))
    }
}

/// Per-thread reading of `strace -f -tt -T`: which syscalls, and the wake-ups: returns from a
/// blocking wait (`epoll_wait`, `futex`, `poll`, sleeps...) that slept at least 1 ms. Wake-ups
/// within 100 ms of each other, on any thread, are one burst: one event handled by several
/// threads, or a dispatch timer armed at its earliest time, then at its leeway's end.
enum ThreadTrace {
    static let waits: Set<String> = ["epoll_wait", "epoll_pwait", "epoll_pwait2", "futex", "poll", "ppoll", "select", "pselect6",
                                     "nanosleep", "clock_nanosleep", "restart_syscall", "read", "recvmsg", "recvfrom"]

    struct Call { var time: Double; var name: String; var line: String; var duration: Double }

    static func describe(_ text: String, pid: Int32, seconds: Int) -> String {
        var calls: [Int: [Call]] = [:]
        for line in text.split(separator: "\n") {
            // "TID HH:MM:SS.micro name(args) = ret <dur>" or "... <... name resumed>...) = ret <dur>".
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count == 3, let tid = Int(fields[0]) else { continue }
            let clock = fields[1].split(separator: ":").compactMap { Double($0) }
            guard clock.count == 3 else { continue }
            let time = clock[0] * 3600 + clock[1] * 60 + clock[2]
            let rest = fields[2]
            if rest.hasSuffix("<unfinished ...>") { continue }  // counted at its return
            let name: String
            if rest.hasPrefix("<... ") {
                name = String(rest.dropFirst(5).prefix { $0 != " " })
            } else {
                name = String(rest.prefix { $0 != "(" })
            }
            guard !name.isEmpty, !name.hasPrefix("+++"), !name.hasPrefix("---") else { continue }
            var duration = 0.0
            if rest.hasSuffix(">"), let open = rest.lastIndex(of: "<") {
                duration = Double(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]) ?? 0
            }
            calls[tid, default: []].append(Call(time: time, name: name, line: String(rest), duration: duration))
        }
        var report = ""
        var allWakeups: [Double] = []
        for (tid, list) in calls.sorted(by: { $0.key < $1.key }) {
            let comm = ((try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8)) ?? "?")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            var byName: [String: Int] = [:]
            list.forEach { byName[$0.name, default: 0] += 1 }
            let wakeups = list.filter { waits.contains($0.name) && $0.duration >= 0.001 }
            allWakeups += wakeups.map(\.time)
            let intervals = zip(wakeups.dropFirst(), wakeups).map { ($0.time - $1.time) * 1000 }.sorted()
            let median = intervals.isEmpty ? "-" : String(format: "%.0f ms", intervals[intervals.count / 2])
            report += String(format: "  thread %d (%@): %d calls, %d wake-ups (%.2f/s), median interval %@\n",
                             tid, comm, list.count, wakeups.count, Double(wakeups.count) / Double(seconds), median)
            report += "    " + byName.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
            // One example of each kind of call (a complete one when there is), trimmed.
            var shown = Set<String>()
            for call in list.sorted(by: { !$0.line.hasPrefix("<") && $1.line.hasPrefix("<") }) where !shown.contains(call.name) {
                shown.insert(call.name)
                report += "    e.g. " + String(call.line.prefix(160)) + "\n"
            }
        }
        allWakeups.sort()
        var bursts = 0
        var last = -1.0
        for time in allWakeups {
            if last < 0 || time - last > 0.100 { bursts += 1 }
            last = time
        }
        report += String(format: "  => %d thread wake-ups in %d s (%.2f/s), in %d bursts (%.2f/s)\n",
                         allWakeups.count, seconds, Double(allWakeups.count) / Double(seconds), bursts, Double(bursts) / Double(seconds))
        return report
    }
}
