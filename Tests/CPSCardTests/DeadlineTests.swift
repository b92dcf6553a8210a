@testable import CPSCard
#if canImport(Glibc)
import Glibc
#endif
import OwnThreads
import Testing

/// `withDeadline`: the call's result or error comes through, and a call past its limit ends
/// in `timeout` (the call itself goes on: a stalled card cannot be interrupted).
@Suite struct DeadlineTests {
    @Test func aCallPastItsLimitThrowsTimeoutAndAnErrorComesThrough() async throws {
        await #expect(throws: AuthenticationError.timeout) {
            try await withDeadline(.milliseconds(20)) { () throws(AuthenticationError) -> Int in
                try? await Task.sleep(for: .seconds(2))
                return 1
            }
        }
        await #expect(throws: AuthenticationError.noCard) {
            try await withDeadline(.seconds(5)) { () throws(AuthenticationError) -> Int in throw .noCard }
        }
        #expect(try await withDeadline(.seconds(5)) { () throws(AuthenticationError) -> Int in 7 } == 7)
    }

    @Test func aCallGivenAnExecutorRunsOnItsThread() async throws {
        let card = DedicatedThreadExecutor(name: "test.deadline")
        let threadName = try await withDeadline(.seconds(5), on: card) { () throws(AuthenticationError) -> String in
            var buffer = [CChar](repeating: 0, count: 32)
            guard let file = fopen("/proc/thread-self/comm", "r") else { throw .internal(detail: "no comm") }
            defer { fclose(file) }
            _ = fgets(&buffer, 32, file)
            return String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        #expect(threadName == "test.deadline")
    }
}
