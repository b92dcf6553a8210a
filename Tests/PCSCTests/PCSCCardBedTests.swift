import CardTestBed
import Foundation
import PCSC
import SmartCard
import Testing

/// The PC/SC layer against the real chain: the bed's private pcscd, vpcd readers and
/// `cps-card-sim`.
@Suite(.enabled(if: TestEnvironment.runCardBedTests, "needs pcscd and vpcd (make deps)"), .timeLimit(.minutes(2)))
struct PCSCCardBedTests {
    static let cps3ATR: [UInt8] = [0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90, 0x00]

    @Test func listsTheBedReaders() async throws {
        let bed = try CardBed.shared()
        try await bed.withReaders(2) { readers in
            let names = try PCSCContext().listReaders()
            #expect(names.count == bed.readers.count)
            for reader in readers { #expect(names.contains(reader.name)) }
        }
    }

    @Test func insertionAndRemovalArriveAsEvents() async throws {
        try await CardBed.shared().withReaders { readers in
            let reader = readers[0]
            let context = try PCSCContext()
            var states = try context.currentStates(of: [reader.name])
            #expect(states[0].flags.contains(.empty))

            let card = try SimulatedCard(reader: reader, waitForInsertion: false)
            states[0].acknowledge()
            try waitUntil(&states, context: context) { $0.flags.contains(.present) }
            #expect(states[0].atr == Self.cps3ATR)

            try card.control("remove")
            states[0].acknowledge()
            try waitUntil(&states, context: context) { $0.flags.contains(.empty) }
            #expect(states[0].atr.isEmpty || !states[0].flags.contains(.present))

            try card.reinsert()
            states[0].acknowledge()
            try waitUntil(&states, context: context) { $0.flags.contains(.present) }
        }
    }

    @Test func exchangesAPDUsWithTheCard() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            let connection = try CardConnection(context: PCSCContext(), reader: readers[0].name)
            #expect(connection.activeProtocol != .undefined)
            #expect(try connection.status().atr == Self.cps3ATR)
            let select = try ResponseAPDU(bytes: connection.transmit(CommandAPDU.select(p1: 0x00, p2: 0x0C, [0x3F, 0x00]).bytes))
            #expect(select.status == .success)
            let unknown = try ResponseAPDU(bytes: connection.transmit([0x00, 0x7E, 0x00, 0x00]))
            #expect(unknown.status == .instructionNotSupported)
            #expect(card.apduLog().count >= 2)
            // vpcd readers announce no PC/SC part 10 features (so no PIN pad).
            #expect(connection.readerFeatures().isEmpty)
        }
    }

    @Test func triesLeftAreReadWithoutSpendingATry() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--tries", "3"])
            defer { card.stop() }
            let connection = try CardConnection(context: PCSCContext(), reader: readers[0].name)
            func triesLeft() throws -> Int? {
                _ = try connection.transmit(CommandAPDU.select(p1: 0x09, p2: 0x04, [0x3F, 0x00]).bytes)
                let response = try ResponseAPDU(bytes: connection.transmit(CommandAPDU.pinTriesLeft(reference: 0x01).bytes))
                guard response.status == .success, let a0 = try? BERTLV.parse(response.data).0 else { return nil }
                return a0.find(0x9B)?.value.first.map(Int.init)
            }
            #expect(try triesLeft() == 3)
            #expect(try triesLeft() == 3)
            let query = try ResponseAPDU(bytes: connection.transmit(CommandAPDU.verify(reference: 0x01).bytes))
            #expect(query.status == .verificationFailed(triesLeft: 3))
            #expect(try triesLeft() == 3)
        }
    }

    @Test func aTransactionEndingInResetDropsThePINState() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--pin", "4321"])
            defer { card.stop() }
            let connection = try CardConnection(context: PCSCContext(), reader: readers[0].name)
            let verified = try connection.withTransaction(disposition: .reset) { card in
                let pin: [UInt8] = Array("4321".utf8) + [UInt8](repeating: 0xFF, count: 4)
                return try ResponseAPDU(bytes: card.transmit(CommandAPDU.verify(reference: 0x01, pin: pin).bytes)).status
            }
            #expect(verified == .success)
            try connection.reconnect()
            let state = try ResponseAPDU(bytes: connection.transmit(CommandAPDU.verify(reference: 0x01).bytes)).status
            #expect(state == .verificationFailed(triesLeft: 3))
        }
    }

    @Test func aCancelledWaitReturnsPromptly() async throws {
        try await CardBed.shared().withReaders { readers in
            let context = try PCSCContext()
            let executor = BlockingExecutor(label: "test.wait")
            let states = try context.currentStates(of: [readers[0].name]).map { state -> ReaderState in
                var s = state
                s.acknowledge()
                return s
            }
            let started = ContinuousClock.now
            let wait = Task { try await context.waitForStatusChange(states, timeoutMilliseconds: nil, on: executor) }
            try await Task.sleep(for: .milliseconds(200))
            wait.cancel()
            await #expect(throws: PCSCError(.cancelled)) { _ = try await wait.value }
            // A hang guard, not a speed assertion: an infinite wait must end on cancellation.
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func connectingToAnEmptyOrMissingReaderIsTyped() async throws {
        try await CardBed.shared().withReaders { readers in
            let context = try PCSCContext()
            #expect(throws: PCSCError(.noSmartcard)) { _ = try CardConnection(context: context, reader: readers[0].name) }
            #expect(throws: PCSCError(.unknownReader)) { _ = try CardConnection(context: context, reader: "No Such Reader 00 00") }
        }
    }

    @Test func aPulledCardFailsTheNextTransmitWithATypedError() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            let connection = try CardConnection(context: PCSCContext(), reader: readers[0].name)
            try card.control("remove")
            try card.waitForPresence(false)
            #expect {
                _ = try connection.transmit(CommandAPDU.select(p1: 0x00, p2: 0x0C, [0x3F, 0x00]).bytes)
            } throws: { error in
                (error as? PCSCError)?.status.meansCardGone == true
            }
        }
    }

    /// Waits (bounded) for the first state to satisfy `condition`.
    func waitUntil(_ states: inout [ReaderState], context: PCSCContext, timeout: Duration = .seconds(10),
                   _ condition: (ReaderState) -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(states[0]) {
            guard ContinuousClock.now < deadline else { throw TestBedError("state \(states[0].flags) did not change in time") }
            states[0].acknowledge()
            try context.waitForStatusChange(&states, timeoutMilliseconds: 500)
        }
    }
}
