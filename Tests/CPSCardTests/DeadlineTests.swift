@testable import CPSCard
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
}
