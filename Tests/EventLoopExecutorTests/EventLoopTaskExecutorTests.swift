@testable import EventLoopExecutor
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The executor the daemon installs as Swift's default (`ProcessExecutors.installEventLoops`),
/// used here as a task executor preference so that the test process keeps its own executors:
/// jobs and sleeps must land on the group's event loops, in time, and cancellation must work.
@Suite struct EventLoopTaskExecutorTests {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var executor: EventLoopTaskExecutor { EventLoopTaskExecutor(group: group) }

    @Test func jobsRunOnTheGroupsEventLoop() async {
        let childOnLoop = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { MultiThreadedEventLoopGroup.currentEventLoop != nil }
                return await group.next()!
            }
        }
        let taskOnLoop = await Task(executorPreference: executor) { MultiThreadedEventLoopGroup.currentEventLoop != nil }.value
        #expect(childOnLoop)
        #expect(taskOnLoop)
        #expect(MultiThreadedEventLoopGroup.currentEventLoop == nil)
    }

    @Test func aSleepIsTimedOnTheEventLoopAndResumesThere() async throws {
        let clock = ContinuousClock()
        let (elapsed, onLoop) = try await withTaskExecutorPreference(executor) {
            let start = clock.now
            try await Task.sleep(for: .milliseconds(50))
            return (clock.now - start, MultiThreadedEventLoopGroup.currentEventLoop != nil)
        }
        #expect(elapsed >= .milliseconds(50))
        #expect(onLoop)
    }

    @Test func aCancelledSleepEndsAtOnce() async {
        let clock = ContinuousClock()
        let start = clock.now
        let sleeper = Task(executorPreference: executor) {
            try await Task.sleep(for: .seconds(30))
        }
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.now - start < .seconds(5))
    }

    @Test func aSleepUntilAnInstantWaitsForIt() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(30)
        try await withTaskExecutorPreference(executor) {
            try await clock.sleep(until: deadline)
        }
        #expect(clock.now >= deadline)
    }

    @Test(arguments: [
        (Duration.seconds(-1), Int64(0)),
        (Duration.milliseconds(1500), Int64(1_500_000_000)),
        (Duration.seconds(Int64.max), Int64.max),
    ])
    func delaysBecomeNIOTimeAmounts(delay: Duration, nanoseconds: Int64) {
        #expect(EventLoopTaskExecutor.timeAmount(delay).nanoseconds == nanoseconds)
    }
}
