import CPSSimulator
import SmartCard
import Testing

/// The user PIN: counting down, blocking, and reading its state without spending a try.
@Suite struct PINTests {
    @Test func wrongPINsCountDownThenBlock() throws {
        let card = try Fixture.card()
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status.rawValue == 0x63C2)
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status.rawValue == 0x63C1)
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status.rawValue == 0x63C0)
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status == .authenticationMethodBlocked)
        // Blocked: the right PIN does not help.
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .authenticationMethodBlocked)
        #expect(try card.send("00 20 00 01").status == .authenticationMethodBlocked)
    }

    @Test func rightPINResetsTheCounter() throws {
        let card = try Fixture.card()
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status.rawValue == 0x63C2)
        #expect(try card.send(.verify(reference: 0x01, pin: Array("1234".utf8))).status == .success) // unpadded too
        #expect(card.pinState.triesLeft == 3)
        #expect(card.pinState.verified)
    }

    @Test(arguments: ["00 20 00 01", "00 20 00 01 00"])
    func statusQueryForms(_ hex: String) throws {
        let card = try Fixture.card()
        #expect(try card.send(hex).status.rawValue == 0x63C3)
        #expect(try card.send(hex).status.rawValue == 0x63C3, "the query spends no try")
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status.rawValue == 0x63C2)
        #expect(try card.send(hex).status.rawValue == 0x63C2)
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        #expect(try card.send(hex).status == .success)
        #expect(try Fixture.card(tries: 0).send(hex).status == .authenticationMethodBlocked)
    }

    @Test func resetClearsTheVerifiedState() throws {
        let card = try Fixture.card()
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        card.reset()
        #expect(try card.send("00 20 00 01").status.rawValue == 0x63C3)
        #expect(try card.send(.verify(reference: 0x01, pin: rightPIN)).status == .success)
        #expect(try card.send("00 20 FF 01").status == .success)
        #expect(try card.send("00 20 00 01").status.rawValue == 0x63C3)
    }

    @Test func triesLeftDataObjectSpendsNoTry() throws {
        let card = try Fixture.card()
        #expect(try card.send("00 A4 09 04 02 3F 00").status == .success)
        for _ in 0..<3 { #expect(try triesLeft(card) == (3, 3)) }
        #expect(try card.send(.verify(reference: 0x01, pin: wrongPIN)).status.rawValue == 0x63C2)
        #expect(try triesLeft(card) == (3, 2))
    }

    @Test func aHiddenCounterLeavesTheTriesLeftOutUntilShownAgain() throws {
        let card = try Fixture.card()
        card.setPINCounterHidden(true)
        let response = try card.send(.pinTriesLeft(reference: 0x01))
        #expect(response.status == .success)
        let descriptor = try #require(try BERTLV.parse(response.data).0.child(0xA0))
        #expect(descriptor.child(0x9A)?.value == [3])
        #expect(descriptor.child(0x9B) == nil)
        // The VERIFY status query still tells (a card that cannot is not simulated), and a reset keeps the switch.
        #expect(try card.send("00 20 00 01").status.rawValue == 0x63C3)
        card.reset()
        #expect(try BERTLV.parse(try card.send(.pinTriesLeft(reference: 0x01)).data).0.child(0xA0)?.child(0x9B) == nil)
        card.setPINCounterHidden(false)
        #expect(try triesLeft(card) == (3, 3))
    }

    /// Reads `A0 { 9A max, 9B left }` with the exact GET DATA OpenSC sends.
    private func triesLeft(_ card: CPS3Card) throws -> (Int, Int) {
        let response = try card.send("00 CB 3F FF 0A 4D 08 70 06 BF 81 01 02 A0 80 00")
        #expect(response.status == .success)
        #expect(response == (try card.send(.pinTriesLeft(reference: 0x01))))
        let (sdo, _) = try BERTLV.parse(response.data)
        #expect(sdo.tag == 0xBF8101)
        let descriptor = try #require(sdo.child(0xA0))
        #expect(descriptor.child(0xA1)?.child(0x8C) != nil)
        return (Int(try #require(descriptor.child(0x9A)?.value.first)), Int(try #require(descriptor.child(0x9B)?.value.first)))
    }

    @Test func pinLengthInformation() throws {
        let card = try Fixture.card()
        let response = try card.send("00 CB 3F FF 0B 4D 09 70 07 BF 81 01 03 7F 41 80 00")
        #expect(response.status == .success)
        let (sdo, _) = try BERTLV.parse(response.data)
        let lengths = try #require(sdo.child(0x7F41))
        #expect(lengths.child(0x80)?.value == [8])
        #expect(lengths.child(0x81)?.value == [4])
        #expect(card.pinState.triesLeft == 3)
    }

    @Test func pinNeverReachesTheLog() throws {
        #expect(APDULog.masked([0x00, 0x20, 0x00, 0x01, 0x08] + rightPIN) == "00 20 00 01 08 ** ** ** ** ** ** ** **")
        #expect(APDULog.masked([0x00, 0x20, 0x00, 0x01]) == "00 20 00 01")
        #expect(APDULog.masked([0x00, 0xB0, 0x00, 0x00, 0x08]) == "00 B0 00 00 08")
        #expect("\(PINCode(digits: "1234")!)" == "<redacted>")
    }
}
