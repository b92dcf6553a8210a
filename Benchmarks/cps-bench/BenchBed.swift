import CardTestBed
import Foundation
import PCSC

/// One simulated CPS3 on the card bed for the length of a benchmark, and nothing left
/// running afterwards.
enum BenchBed {
    /// Where the bed's blocking calls run: never on the cooperative pool.
    static let executor = BlockingExecutor(label: "cps-bench")

    /// Starts the bed (a private pcscd with vpcd readers) and one `cps-card-sim` in one of its
    /// readers, runs `body` on a thread of its own, then stops the card and pcscd.
    ///
    /// The bed's processes are also tied to this process: they end when it ends, however.
    static func withCard<T: Sendable>(
        arguments: [String],
        _ body: @escaping @Sendable (SimulatedCard) throws -> T
    ) async throws -> T {
        let bed = try CardBed.shared()
        do {
            let result = try await bed.withReaders(1) { readers in
                let card = try SimulatedCard(reader: readers[0], arguments: arguments)
                defer { card.stop() }
                return try await executor.run { try body(card) }
            }
            bed.stopPCSCD()
            try? FileManager.default.removeItem(at: bed.directory)
            return result
        } catch {
            bed.stopPCSCD()
            print("bed logs kept in \(bed.directory.path)")
            throw error
        }
    }
}

/// A benchmark that could not run as intended (a wrong response, a failed tool run).
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The conditions of a run, printed before its figures.
func printHeader(_ benchmark: String) {
    #if DEBUG
    let configuration = "debug (figures are not comparable: build with -c release)"
    #else
    let configuration = "release"
    #endif
    let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")
        .split(separator: " ").prefix(3).joined(separator: " ")
    let date = ISO8601DateFormatter().string(from: Date())
    print("== cps-bench \(benchmark)")
    print("date \(date)  nproc \(ProcessInfo.processInfo.activeProcessorCount)  loadavg \(load)  build \(configuration)")
}

/// The time `body` takes on the monotonic clock, and its result.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (result, clock.now - start)
}
