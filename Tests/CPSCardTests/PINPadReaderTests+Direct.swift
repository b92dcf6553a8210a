import CardTestBed
import CPSCard
import Foundation
import PCSC
import PINEntry
import SmartCard
import Testing

/// Our own part 10 path (`PINPad` over a `CardConnection`) against the simulated PIN-pad reader.
extension PINPadReaderTests {
    /// A PIN pad on `reader`, with the card inserted, and its keypad.
    static func withPad(_ reader: BedReader, _ body: (PINPad<CardConnection>, Keypad, SimulatedCard) async throws -> Void) async throws {
        let card = try SimulatedCard(reader: reader)
        defer { card.stop() }
        let connection = try CardConnection(context: PCSCContext(), reader: reader.name)
        defer { try? connection.disconnect() }
        try await body(PINPad(reader: connection), try Keypad(reader: reader), card)
    }

    /// Starts a verification on the pad, waits until the reader asks for keys, presses `key`
    /// (a keypad command) and returns how the verification ended.
    static func verify(_ pad: PINPad<CardConnection>, _ keypad: Keypad, pressing key: String,
                       timeout: Duration = .seconds(10)) async throws -> PINPadOutcome {
        let verification = startBlocking { try pad.verifyOnPINPad(cps3Request(), timeout: timeout) }
        _ = try await blocking { try keypad.waitForEntry() }
        #expect(try await blocking { try keypad.send(key) } == "OK")
        return try await verification.value
    }

    /// The VERIFY commands with a PIN block the card received.
    static func verifiesWithPIN(_ card: SimulatedCard) -> Int {
        card.apduLog().filter { $0.hasPrefix("> 00 20 00 01 08") }.count
    }

    @Test func announcesItsFeaturesAndProperties() async throws {
        try await CardBed.shared().withPINPadReaders { readers in
            // No card needed: a direct connection reads the features (OpenSC does this).
            let direct = try CardConnection(context: PCSCContext(), reader: readers[0].name, share: .direct)
            defer { try? direct.disconnect() }
            let features = direct.readerFeatures()
            #expect(features[.verifyPINDirect] == 0x4233_0006)
            #expect(features[.modifyPINDirect] == 0x4233_0007)
            #expect(features[.pinProperties] == 0x4233_000A)
            #expect(features[.tlvProperties] == 0x4233_0012)
            let pad = PINPad(reader: direct)
            #expect(pad.hasPINPad)
            let properties = try #require(try pad.properties())
            #expect(properties.lcdLines == 2)
            #expect(properties.lcdCharactersPerLine == 16)
            #expect(properties.minPINSize == 4)
            #expect(properties.maxPINSize == 8)
            #expect(properties.entryValidation == .validationKeyPressed)
            #expect(properties.timeout2 == 0)
            #expect(properties.firmwareID == "cps-pinpad-sim 1")
            let structure = try PINPadProperties.parsePINProperties(direct.control(0x4233_000A))
            #expect(structure.lcdLayout == 0x0210)
            #expect(structure.entryValidation == .validationKeyPressed)
            // PIN change on the pad is not simulated: the reader refuses the structure.
            #expect(try direct.control(0x4233_0007, [UInt8](repeating: 0, count: 24)) == [0x6B, 0x80])
            #expect(try Keypad(reader: readers[0]).display() == KeypadDisplay(answer: "IDLE \"CPS PIN Pad\" \"Carte absente\""))
            // The keypad is the reader's owner's only.
            let keypadPath = try #require(readers[0].keypadSocketPath)
            let mode = try FileManager.default.attributesOfItem(atPath: keypadPath)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func verifiesTheRightPINAndCountsTheWrongOne() async throws {
        try await CardBed.shared().withPINPadReaders { readers in
            try await Self.withPad(readers[0]) { pad, keypad, card in
                #expect(try await Self.verify(pad, keypad, pressing: "type 1234") == .verified)
                #expect(try keypad.display() == KeypadDisplay(answer: "IDLE \"CPS PIN Pad\" \"PIN correct\""))
                #expect(try await Self.verify(pad, keypad, pressing: "type 9999") == .incorrect(triesLeft: 2))
                #expect(try card.control("status").contains("triesLeft=2"))
                // The right PIN gives the tries back.
                #expect(try await Self.verify(pad, keypad, pressing: "type 1234") == .verified)
                #expect(try card.control("status").contains("triesLeft=3"))
                #expect(Self.verifiesWithPIN(card) == 3)
                try Self.expectPINInNoLog("9999", bed: CardBed.shared(), card: card)
            }
        }
    }

    @Test func cancelTimeoutAndWrongLengthSendNothingToTheCard() async throws {
        try await CardBed.shared().withPINPadReaders { readers in
            try await Self.withPad(readers[0]) { pad, keypad, card in
                let cancelled = try await Self.verify(pad, keypad, pressing: "cancel")
                #expect(cancelled == .cancelled)
                let timedOut = try await Self.verify(pad, keypad, pressing: "timeout")
                #expect(timedOut == .timeout)
                let tooShort = try await Self.verify(pad, keypad, pressing: "type 12")
                #expect(tooShort == .otherStatus(StatusWord(rawValue: 0x6403)))
                let tooLong = try await Self.verify(pad, keypad, pressing: "type 123456789")
                #expect(tooLong == .otherStatus(StatusWord(rawValue: 0x6403)))
                #expect(Self.verifiesWithPIN(card) == 0)
                let status = try card.control("status")
                #expect(status.contains("triesLeft=3"))
                // With nobody at the keypad, the reader's own timer ends the entry (bTimerOut).
                let start = ContinuousClock.now
                let expired = try await Self.blocking { try pad.verifyOnPINPad(cps3Request(), timeout: .seconds(1)) }
                #expect(expired == .timeout)
                #expect(ContinuousClock.now - start < .seconds(5))
                // A key with no entry waiting is refused after the keypad's own wait.
                await #expect(throws: TestBedError.self) { try await Self.blocking { try keypad.cancel() } }
            }
        }
    }

    @Test func aCardPulledDuringTheEntryEndsItWithAnError() async throws {
        try await CardBed.shared().withPINPadReaders { readers in
            try await Self.withPad(readers[0]) { pad, keypad, card in
                let verification = Self.startBlocking { try pad.verifyOnPINPad(cps3Request(), timeout: .seconds(30)) }
                _ = try await Self.blocking { try keypad.waitForEntry() }
                let start = ContinuousClock.now
                try card.control("remove")
                await #expect(throws: PINPadError.self) { try await verification.value }
                #expect(ContinuousClock.now - start < .seconds(5))
                #expect(try keypad.display().waiting == false)
            }
        }
    }

    /// Two PIN-pad readers in one pcscd: each has its own state, and an entry waiting on one
    /// blocks neither the other reader nor pcscd's view of it.
    @Test func twoReadersWorkSideBySide() async throws {
        try await CardBed.shared().withPINPadReaders(2) { readers in
            try await Self.withPad(readers[0]) { padA, keypadA, cardA in
                try await Self.withPad(readers[1]) { padB, keypadB, cardB in
                    let waitingA = Self.startBlocking { try padA.verifyOnPINPad(cps3Request(), timeout: .seconds(30)) }
                    _ = try await Self.blocking { try keypadA.waitForEntry() }
                    #expect(try keypadB.display().waiting == false)
                    #expect(try await Self.verify(padB, keypadB, pressing: "type 1234") == .verified)
                    // B's card still comes and goes while A waits for keys.
                    try cardB.control("remove")
                    try cardB.waitForPresence(false)
                    try cardB.reinsert()
                    #expect(try keypadA.display().waiting)
                    try await Self.blocking { try keypadA.type("1234") }
                    #expect(try await waitingA.value == .verified)
                    #expect(Self.verifiesWithPIN(cardA) == 1)
                    #expect(Self.verifiesWithPIN(cardB) == 1)
                }
            }
        }
    }
}
