import SmartCard
import Testing

@Suite struct CommandAPDUTests {
    @Test(arguments: [
        // case 1
        ("00 20 00 01", CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x01)),
        // case 2 short, Le 00 means 256
        ("00 84 00 00 08", CommandAPDU(ins: 0x84, p1: 0, p2: 0, ne: 8)),
        ("00 B0 00 00 00", CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 256)),
        // case 3 short
        ("00 A4 09 04 02 3F 00", CommandAPDU(ins: 0xA4, p1: 9, p2: 4, data: [0x3F, 0x00])),
        // case 4 short
        ("00 A4 04 04 02 3F 00 00", CommandAPDU(ins: 0xA4, p1: 4, p2: 4, data: [0x3F, 0x00], ne: 256)),
        // case 2 extended
        ("00 B0 00 00 00 01 00", CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 256 + 0)),
    ])
    func parsesEveryCase(hex: String, expected: CommandAPDU) throws {
        let parsed = try CommandAPDU(bytes: [UInt8](hex: hex)!)
        #expect(parsed == expected)
    }

    @Test func roundTripsExtendedData() throws {
        let apdu = CommandAPDU(ins: 0x88, p1: 0, p2: 0, data: [UInt8](repeating: 0xAB, count: 300), ne: 256)
        #expect(apdu.isExtended)
        #expect(try CommandAPDU(bytes: apdu.bytes) == apdu)
    }

    @Test(arguments: ["00", "00 A4 04", "00 A4 04 04 05 01 02", "00 A4 04 04 02 3F 00 00 00", "00 B0 00 00 00 00"])
    func rejectsMalformedLengths(hex: String) {
        #expect(throws: APDUFormatError.self) { try CommandAPDU(bytes: [UInt8](hex: hex)!) }
    }

    @Test func factoriesEncodeTheIASECCForms() {
        #expect(CommandAPDU.verify(reference: 0x01).bytes == [0x00, 0x20, 0x00, 0x01])
        #expect(CommandAPDU.pinTriesLeft(reference: 0x01).bytes.hexString
            == "00 CB 3F FF 0A 4D 08 70 06 BF 81 01 02 A0 80 00")
        #expect(CommandAPDU.mseSetAuthentication(keyReference: 0x82).bytes.hexString
            == "00 22 41 A4 06 84 01 82 80 01 02")
        #expect(CommandAPDU.readBinary(sfi: 0x1C, count: 12).bytes.hexString == "00 B0 9C 00 0C")
    }
}

@Suite struct StatusWordTests {
    @Test func triesLeftComesFrom63Cx() {
        #expect(StatusWord(sw1: 0x63, sw2: 0xC2).triesLeft == 2)
        #expect(StatusWord.verificationFailed(triesLeft: 0).rawValue == 0x63C0)
        #expect(StatusWord.success.triesLeft == nil)
        #expect(StatusWord.authenticationMethodBlocked.triesLeft == nil)
    }

    @Test func responseSplitsDataAndStatus() throws {
        let r = try ResponseAPDU(bytes: [0x01, 0x02, 0x90, 0x00])
        #expect(r.data == [0x01, 0x02])
        #expect(r.status.isSuccess)
        #expect(throws: APDUFormatError.self) { try ResponseAPDU(bytes: [0x90]) }
    }
}

@Suite struct BERTLVTests {
    @Test func parsesMultiByteTagsAndLongLengths() throws {
        let value = [UInt8](repeating: 0x11, count: 200)
        let inner = BERTLV(tag: 0xBF8101, value: value)
        let outer = BERTLV(tag: 0x70, children: [inner, BERTLV(tag: 0x9B, value: [0x03])])
        let (parsed, used) = try BERTLV.parse(outer.bytes)
        #expect(used == outer.bytes.count)
        #expect(parsed.isConstructed)
        #expect(parsed.child(0xBF8101)?.value == value)
        #expect(parsed.child(0x9B)?.value == [0x03])
    }

    @Test(arguments: ["70", "70 05 01", "5F", "70 80 00 00", "70 84 00 00 00 01 00"])
    func rejectsTruncatedOrIndefinite(hex: String) {
        #expect(throws: TLVError.self) { try BERTLV.parse([UInt8](hex: hex)!) }
    }

    @Test func hexRoundTrips() {
        #expect([UInt8](hex: "3B AC:00")! == [0x3B, 0xAC, 0x00])
        #expect([UInt8](hex: "3B A") == nil)
        #expect([UInt8](hex: "zz") == nil)
        #expect([0x3B, 0xAC].compactHex == "3bac")
    }
}
