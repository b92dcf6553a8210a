@testable import CPSCard
import Logging
import PKCS11
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `ModuleLoading`, the PKCS#11 module loaded on a thread of its own while the daemon starts:
/// who waits gets the result once there is one, a cancelled waiter stops waiting, and the
/// load runs off the caller's thread. (Loading a real module goes through every real-chain
/// test of `CardService`.)
@Suite struct ModuleLoadingTests {
    /// A gate the load closure waits at, opened by the test.
    final class Gate: Sendable {
        private let opened = Mutex(false)
        func open() { opened.withLock { $0 = true } }
        func waitOpen() {
            while !opened.withLock({ $0 }) { usleep(1000) }
        }
    }

    struct NoModule: Error, CustomStringConvertible {
        var description: String { "no module here" }
    }

    @Test func aWaiterGetsTheResultOnceTheLoadEnds() async throws {
        let gate = Gate()
        let loadingThread = Mutex<pthread_t?>(nil)
        let loading = ModuleLoading(logger: Logger(label: "test")) {
            loadingThread.withLock { $0 = pthread_self() }
            gate.waitOpen()
            throw NoModule()
        }
        #expect(loading.result == nil, "settled before the load ended")
        let waiter = Task { await loading.wait() }
        try await Task.sleep(for: .milliseconds(20))
        #expect(loading.result == nil)
        gate.open()
        let result = try #require(await waiter.value)
        guard case .failure(.internal(let detail)) = result else {
            Issue.record("expected the load's error, got \(result)")
            return
        }
        #expect(detail == "no module here")
        // Settled for good, and for every later waiter at once.
        #expect(loading.result != nil)
        #expect(await loading.wait() != nil)
        let thread = try #require(loadingThread.withLock { $0 })
        #expect(pthread_equal(thread, pthread_self()) == 0, "the load ran on the caller's thread")
    }

    @Test func aCancelledWaiterStopsWaitingAndOthersStillGetTheResult() async throws {
        let gate = Gate()
        let loading = ModuleLoading(logger: Logger(label: "test")) {
            gate.waitOpen()
            throw NoModule()
        }
        let cancelled = Task { await loading.wait() }
        let patient = Task { await loading.wait() }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == nil, "a cancelled waiter got a result before there was one")
        #expect(loading.result == nil)
        gate.open()
        #expect(await patient.value != nil)
    }

    @Test func aSettledLoadIsThereAtOnce() async {
        let loading = ModuleLoading(settled: .failure(.noCard))
        guard case .failure(.noCard)? = loading.result else {
            Issue.record("not settled: \(String(describing: loading.result))")
            return
        }
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await loading.wait()
        }
        // Settled before the wait: even a cancelled task gets the result.
        #expect(await cancelledFirst.value != nil)
    }
}
