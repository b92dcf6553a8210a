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
}
