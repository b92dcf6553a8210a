#if canImport(Glibc)
import Glibc
#endif
@testable import OwnThreads
import Synchronization
import Testing

/// `DeadlineTimer`: a timer fires once after its delay; one taken back never fires.
@Suite struct DeadlineTimerTests {
    @Test func aTimerFiresAfterItsDelay() async {
        let clock = ContinuousClock()
        let start = clock.now
        let fired = await withCheckedContinuation { (done: CheckedContinuation<ContinuousClock.Instant, Never>) in
            _ = DeadlineTimer.shared.schedule(after: .milliseconds(50)) { done.resume(returning: clock.now) }
        }
        #expect(fired - start >= .milliseconds(50))
        #expect(fired - start < .seconds(5))
    }

    @Test func aCancelledTimerNeverFiresAndTheOthersStillDo() async throws {
        let fired = Mutex<[String]>([])
        let early = DeadlineTimer.shared.schedule(after: .milliseconds(20)) { fired.withLock { $0.append("cancelled") } }
        early.cancel()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            _ = DeadlineTimer.shared.schedule(after: .milliseconds(60)) {
                fired.withLock { $0.append("kept") }
                done.resume()
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(fired.withLock { $0 } == ["kept"])
    }

    @Test func timersFireInTheOrderOfTheirDeadlines() async {
        let order = Mutex<[Int]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for (index, delay) in [90, 30, 60].enumerated() {
                _ = DeadlineTimer.shared.schedule(after: .milliseconds(delay)) {
                    let count = order.withLock { $0.append(index); return $0.count }
                    if count == 3 { done.resume() }
                }
            }
        }
        #expect(order.withLock { $0 } == [1, 2, 0])
    }

    /// A deadline that is met (scheduled, then taken back) costs the timer thread nothing: it
    /// is not woken, by the scheduling nor by the taking back (its voluntary context switches,
    /// which count every time it went to sleep, do not move).
    @Test func takingBackATimerDoesNotWakeTheTimerThread() async throws {
        let timers = DeadlineTimer(name: "test.deadlines")
        // A first timer starts the thread; once it has fired, the thread sleeps with none armed.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            _ = timers.schedule(after: .milliseconds(1)) { done.resume() }
        }
        try await Task.sleep(for: .milliseconds(50))
        let thread = try #require(Self.thread(named: "test.deadlines"))
        let before = try #require(Self.voluntarySwitches(thread))
        for _ in 0..<200 {
            timers.schedule(after: .seconds(30)) {}.cancel()
        }
        let kept = timers.schedule(after: .seconds(30)) {}
        for _ in 0..<200 {
            timers.schedule(after: .seconds(5)) {}.cancel()
        }
        kept.cancel()
        try await Task.sleep(for: .milliseconds(50))
        #expect(Self.voluntarySwitches(thread) == before)
        // And it still fires.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            _ = timers.schedule(after: .milliseconds(5)) { done.resume() }
        }
    }

    /// The thread id of this process's thread called `name`.
    static func thread(named name: String) -> String? {
        guard let directory = opendir("/proc/self/task") else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let task = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard task.first?.isNumber == true else { continue }
            if read("/proc/self/task/\(task)/comm")?.split(separator: "\n").first.map(String.init) == name { return task }
        }
        return nil
    }

    /// `voluntary_ctxt_switches` of thread `task`.
    static func voluntarySwitches(_ task: String) -> Int? {
        read("/proc/self/task/\(task)/status")?.split(separator: "\n")
            .first { $0.hasPrefix("voluntary_ctxt_switches:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingPrefix(while: { $0 == " " || $0 == "\t" })) }
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var text = ""
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, 512, file) != nil {
            text += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return text
    }
}
