import NIOConcurrencyHelpers
import PostgresNIO

extension PostgresNonceStore {
    /// Runs `body` against the database, or gives up after `operationTimeout`. postgres-nio's
    /// pool waits for a connection as long as it is asked to, so with the server down a query
    /// would wait for it to come back; and a query on a server that hangs may not notice
    /// cancellation. So the answer is whichever comes first, the body's or the deadline's,
    /// without waiting for the other: a late body is cancelled and left to end on its own.
    /// Every failure becomes `.unavailable` with a readable cause (`PSQLError`'s own
    /// description hides the details on purpose).
    func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws(PostgresNonceStoreError) -> T {
        let timeout = configuration.operationTimeout
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let answer = FirstAnswer(continuation)
                let work = Task {
                    do { answer.resume(.success(try await body())) } catch { answer.resume(.failure(error)) }
                }
                answer.setLoser(Task {
                    do { try await Task.sleep(for: timeout) } catch { return }
                    if answer.resume(.failure(PostgresNonceStoreError.unavailable("PostgreSQL did not answer within \(timeout)"))) {
                        work.cancel()
                    }
                })
            }
        } catch let error as PostgresNonceStoreError {
            throw error
        } catch {
            throw .unavailable(Self.describe(error))
        }
    }

    /// What went wrong, for a log line: the pool's error code, the server's message and
    /// SQLSTATE when there is one, and the underlying network error.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        var parts = ["PostgreSQL \(error.code)"]
        if let message = error.serverInfo?[.message] { parts.append(message) }
        if let state = error.serverInfo?[.sqlState] { parts.append("SQLSTATE \(state)") }
        if let underlying = error.underlying { parts.append(String(describing: underlying)) }
        return parts.joined(separator: ": ")
    }
}

/// A continuation resumed once, by the first of two racing tasks; the deadline task is
/// cancelled as soon as the work answers.
final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var timer: Task<Void, Never>?
    }
    private let state: NIOLockedValueBox<State>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        state = NIOLockedValueBox(State(continuation: continuation))
    }

    /// Resumes with `result` if nothing did yet. - Returns: whether this call resumed.
    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let (continuation, timer) = state.withLockedValue { state in
            defer { state.continuation = nil; state.timer = nil }
            return (state.continuation, state.timer)
        }
        guard let continuation else { return false }
        timer?.cancel()
        continuation.resume(with: result)
        return true
    }

    /// The deadline task, cancelled when the work answers (at once if it already has).
    func setLoser(_ timer: Task<Void, Never>) {
        let answered = state.withLockedValue { state in
            if state.continuation == nil { return true }
            state.timer = timer
            return false
        }
        if answered { timer.cancel() }
    }
}
