import Glibc
@testable import OwnThreads
import PCSC
import Synchronization
import Testing

/// `DedicatedThread` and the executors on it: one thread, jobs in order, gone with its owner.
@Suite struct DedicatedThreadTests {
    @Test func jobsRunInOrderOnOneThreadThatIsNotTheCallers() async {
        let thread = DedicatedThread(name: "test.ordered")
        let seen = Mutex<[(Int, pthread_t)]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for index in 0..<100 {
                thread.run { seen.withLock { $0.append((index, pthread_self())) } }
            }
            thread.run { done.resume() }
        }
        let order = seen.withLock { $0.map(\.0) }
        let threads = Set(seen.withLock { $0.map { UInt($0.1) } })
        #expect(order == Array(0..<100))
        #expect(threads.count == 1)
        #expect(!threads.contains(UInt(pthread_self())))
    }

    @Test func theThreadIsNamedAndEndsWithItsOwner() async throws {
        let before = Self.threadNames()
        var thread: DedicatedThread? = DedicatedThread(name: "test.lifetime")
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in thread!.run { done.resume() } }
        #expect(Self.threadNames().filter { $0 == "test.lifetime" }.count == before.filter { $0 == "test.lifetime" }.count + 1)
        thread = nil
        // The thread finishes what it holds and returns; give it up to 5 s.
        for _ in 0..<500 where Self.threadNames().contains("test.lifetime") {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!Self.threadNames().contains("test.lifetime"))
    }

    @Test func anActorOnADedicatedThreadExecutorRunsThere() async {
        let probe = ThreadProbe()
        let first = await probe.currentThread()
        let second = await probe.currentThread()
        #expect(first == second)
        #expect(first != UInt(pthread_self()))
    }

    @Test func aTaskPreferringTheExecutorRunsOnTheActorsThreadAroundItsCalls() async {
        let probe = ThreadProbe()
        let actorThread = await probe.currentThread()
        let threads = await Task(executorPreference: probe.executor) { () -> [UInt] in
            let before = UInt(pthread_self())
            let inside = await probe.currentThread()
            let after = UInt(pthread_self())
            return [before, inside, after]
        }.value
        #expect(threads == [actorThread, actorThread, actorThread])
        #expect(actorThread != UInt(pthread_self()))
    }

    @Test func aBlockingExecutorReturnsTheResultAndTheError() async throws {
        let executor = BlockingExecutor(label: "test.blocking")
        #expect(try await executor.run { 6 * 7 } == 42)
        await #expect(throws: PCSCError.self) {
            try await executor.run { () throws -> Int in throw PCSCError(.cancelled, function: "test") }
        }
    }

    /// The names of this process's threads (`/proc/self/task/*/comm`).
    static func threadNames() -> [String] {
        guard let directory = opendir("/proc/self/task") else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let task = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard task.first?.isNumber == true, let file = fopen("/proc/self/task/\(task)/comm", "r") else { continue }
            var buffer = [CChar](repeating: 0, count: 32)
            if fgets(&buffer, 32, file) != nil {
                names.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    .trimmingSuffixNewline())
            }
            fclose(file)
        }
        return names
    }
}

private actor ThreadProbe {
    nonisolated let executor = DedicatedThreadExecutor(name: "test.actor")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    func currentThread() -> UInt { UInt(pthread_self()) }
}

private extension String {
    func trimmingSuffixNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}
