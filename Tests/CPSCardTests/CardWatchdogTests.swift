import CardTestBed
@testable import CPSCard
import Foundation
import Synchronization
import Testing

/// The card worker's watchdog pings (systemd's WATCHDOG=1) through the real chain: they go on
/// while the card answers, stop while a card call is wedged (the simulator's `stall`), and
/// come back once it answers again.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct CardWatchdogTests {
    /// Counts pings from any thread.
    final class Pings: Sendable {
        private let count = Mutex(0)
        func ping() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    @Test func pingsStopWhileACardCallIsWedgedAndComeBackAfter() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let pings = Pings()
            let watchdog = CardWatchdog(interval: .milliseconds(100), wedgedAfter: .seconds(1)) { pings.ping() }
            try await CardServiceTests.withService(.init(operationTimeout: .seconds(30), watchdog: watchdog)) { service in
                try await CardServiceTests.waitForCards(service, readers)
                _ = await service.status()
                var before = pings.value
                try await Task.sleep(for: .milliseconds(500))
                #expect(pings.value > before, "the card answers: pings go on")

                try card.control("stall")
                let login = Task { await service.authenticate(CardServiceTests.request("1234")) }
                try await Task.sleep(for: .milliseconds(1500))
                #expect(try #require(service.oldestCardCallAge()) > .seconds(1))
                before = pings.value
                try await Task.sleep(for: .milliseconds(600))
                #expect(pings.value == before, "a card call is wedged: no ping")

                try card.control("resume")
                _ = await login.value
                #expect(service.oldestCardCallAge() == nil)
                before = pings.value
                try await Task.sleep(for: .milliseconds(500))
                #expect(pings.value > before, "the card answers again: pings are back")
            }
        }
    }
}
