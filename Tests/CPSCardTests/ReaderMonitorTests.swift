import CardTestBed
@testable import CPSCard
import Foundation
import Testing

@Suite struct ReaderEventDiffTests {
    static let cps3 = CardPresence(atr: [0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90, 0x00])

    @Test func diffNamesEveryChange() {
        let old = [ReaderSnapshot(name: "A", card: Self.cps3), ReaderSnapshot(name: "B", card: nil), ReaderSnapshot(name: "C", card: Self.cps3, eventCounter: 1)]
        let new = [ReaderSnapshot(name: "B", card: Self.cps3), ReaderSnapshot(name: "C", card: Self.cps3, eventCounter: 3), ReaderSnapshot(name: "D", card: nil)]
        #expect(ReaderEvent.diff(from: old, to: new) == [
            .cardRemoved(reader: "A"), .readerRemoved(reader: "A"),
            .cardInserted(reader: "B", card: Self.cps3),
            .cardRemoved(reader: "C"), .cardInserted(reader: "C", card: Self.cps3),
            .readerAdded(reader: "D"),
        ])
        #expect(ReaderEvent.diff(from: new, to: new).isEmpty)
    }
}

/// Waiting for the monitor's first view, with no monitor running: the wait ends at its timeout,
/// or at once when the waiting task is cancelled (the running monitor wakes its waiters the
/// moment it has a view: `ReaderMonitorTests` and every real-chain test go through it).
@Suite struct ReaderMonitorWaitTests {
    @Test func aWaitEndsAtItsTimeout() async {
        let monitor = ReaderMonitor()
        let clock = ContinuousClock()
        let start = clock.now
        await monitor.waitUntilSynchronised(timeout: .milliseconds(50))
        let waited = clock.now - start
        #expect(waited >= .milliseconds(50))
        #expect(waited < .seconds(4))
        #expect(!monitor.isSynchronised)
    }

    @Test func aCancelledWaitEndsAtOnce() async throws {
        let monitor = ReaderMonitor()
        let clock = ContinuousClock()
        let start = clock.now
        let waiting = Task { await monitor.waitUntilSynchronised(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await waiting.value
        #expect(clock.now - start < .seconds(10))
    }
}

/// The reader monitor on the real chain: private pcscd, vpcd, `cps-card-sim`.
@Suite(.enabled(if: TestEnvironment.runCardBedTests, "needs pcscd and vpcd (make deps)"), .timeLimit(.minutes(2)))
struct ReaderMonitorTests {
    /// Waits (bounded) for an event matching `predicate` and returns how long it took.
    static func next(_ iterator: inout AsyncStream<ReaderEvent>.Iterator, timeout: Duration = .seconds(5),
                     _ predicate: @escaping (ReaderEvent) -> Bool) async throws -> ReaderEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let event = await iterator.next() else { break }
            if predicate(event) { return event }
        }
        throw TestBedError("no matching event within \(timeout)")
    }

    @Test func insertionAndRemovalArriveAsEvents() async throws {
        try await CardBed.shared().withReaders { readers in
            let reader = readers[0]
            let monitor = ReaderMonitor()
            let run = Task { try await monitor.run() }
            defer { run.cancel() }
            await monitor.waitUntilSynchronised()
            #expect(monitor.readers.contains { $0.name == reader.name && $0.card == nil })
            var events = monitor.events().makeAsyncIterator()

            let card = try SimulatedCard(reader: reader, waitForInsertion: false)
            let inserted = try await Self.next(&events) { $0.reader == reader.name }
            guard case .cardInserted(_, let presence) = inserted else { Issue.record("got \(inserted)"); return }
            #expect(presence.kind == .cps3)
            #expect(monitor.readers.first { $0.name == reader.name }?.card?.kind == .cps3)

            let pulled = ContinuousClock.now
            try card.control("remove")
            let removed = try await Self.next(&events) { $0.reader == reader.name }
            #expect(removed == .cardRemoved(reader: reader.name))
            print("reader monitor: removal seen \(ContinuousClock.now - pulled) after the card left")
            #expect(monitor.readers.first { $0.name == reader.name }?.card == nil)
        }
    }
}

/// Stops and restarts the bed's pcscd: it runs in a test process of its own (`make test`
/// runs suites named `*PCSCDRestart*` apart), since pcsc-lite clients in the same process,
/// OpenSC among them, would see their daemon die.
@Suite(.enabled(if: TestEnvironment.runCardBedTests, "needs pcscd and vpcd (make deps)"), .timeLimit(.minutes(2)))
struct ReaderMonitorPCSCDRestartTests {
    @Test func survivesPCSCDRestartAndResynchronises() async throws {
        let bed = try CardBed.shared()
        try await bed.withExclusiveBed { readers in
            let keep = try SimulatedCard(reader: readers[0])
            let pull = try SimulatedCard(reader: readers[1])
            let monitor = ReaderMonitor(initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(400))
            let run = Task { try await monitor.run() }
            defer { run.cancel() }
            await monitor.waitUntilSynchronised()
            #expect(monitor.readers.filter { $0.card != nil }.map(\.name).sorted() == [readers[0].name, readers[1].name].sorted())
            var events = monitor.events().makeAsyncIterator()

            bed.stopPCSCD(signal: SIGKILL)
            _ = try await ReaderMonitorTests.next(&events) { $0 == .serviceLost }
            #expect(monitor.readers.isEmpty)
            // The second card leaves while pcscd is away.
            try pull.control("remove")
            try bed.startPCSCD()
            _ = try await ReaderMonitorTests.next(&events, timeout: .seconds(10)) { $0 == .serviceRestored }
            // What changed meanwhile is emitted: the pulled card is gone.
            _ = try await ReaderMonitorTests.next(&events, timeout: .seconds(10)) { $0 == .cardRemoved(reader: readers[1].name) }
            // The kept card reconnects to the new pcscd and is seen again.
            try keep.waitForPresence(true)
            let deadline = ContinuousClock.now + .seconds(10)
            while monitor.readers.first(where: { $0.name == readers[0].name })?.card == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(monitor.readers.first { $0.name == readers[0].name }?.card?.kind == .cps3)
            #expect(monitor.readers.first { $0.name == readers[1].name }?.card == nil)
            #expect(monitor.isServiceAvailable)
        }
    }
}
