import CPSSimulator
import SmartCard
import Testing

/// Whatever the bytes, the card answers with the right ISO 7816-4 status word and keeps going.
@Suite struct MalformedAPDUTests {
    @Test(arguments: [
        // too short / inconsistent lengths
        ("", 0x6700), ("00", 0x6700), ("00 A4 00", 0x6700),
        ("00 A4 00 00 05 3F 00", 0x6700),            // Lc says 5, 2 bytes follow
        ("00 A4 00 00 02 3F 00 00 00", 0x6700),      // one byte too many
        ("00 A4 00 00 00 00 03 3F", 0x6700),         // extended Lc 3, 1 byte follows
        // unknown class or instruction
        ("80 A4 00 00 02 3F 00", 0x6E00), ("FF 20 00 01", 0x6E00), ("A0 B0 00 00 10", 0x6E00),
        ("0C B0 00 00 10", 0x6882), ("01 B0 00 00 10", 0x6881),
        ("00 FE 00 00", 0x6D00), ("00 12 00 00", 0x6D00), ("00 CA 01 00 00", 0x6D00),
        // bad P1-P2
        ("00 A4 07 00 02 3F 00", 0x6A86), ("00 A4 00 01 02 3F 00", 0x6A86),
        ("00 B0 A0 00 10", 0x6A86),                  // SFI with P1 bits 6-7 set
        ("00 B0 80 00 10", 0x6A86),                  // SFI 0
        ("00 CB 00 00 0A 4D 08 70 06 BF 81 01 02 A0 80 00", 0x6A86),
        ("00 22 42 A4 06 84 01 82 80 01 02", 0x6A86),
        ("00 88 01 00 02 01 02 00", 0x6A86),
        ("00 84 01 00 08", 0x6A86),
        ("00 20 05 01", 0x6A86),
        ("00 2A 9E 9B 02 01 02", 0x6A86),
        // wrong data field or length for the command
        ("00 A4 08 00 03 3F 00 00", 0x6A87), ("00 A4 04 00 00", 0x6A87) /* no DF name */,
        ("00 B0 00 00", 0x6700),                     // no Le
        ("00 B0 00 00 02 00 00 10", 0x6700),         // data in READ BINARY
        ("00 84 00 00 10", 0x6700), ("00 84 00 00", 0x6700),
        ("00 CB 3F FF 02 4D 00 00", 0x6A80), ("00 CB 3F FF 03 01 02 03 00", 0x6A80),
        ("00 CB 3F FF 0A 4D 08 70 06 BF 81 05 02 A0 80 00", 0x6A88), // no PIN 05
        ("00 CB 3F FF 0A 4D 08 70 06 BF A0 02 02 A0 80 00", 0x6A88), // no public-key SDO
        ("00 22 41 A4 06 84 01 83 80 01 02", 0x6A88), // unknown key
        ("00 22 41 A4 06 84 01 82 80 01 07", 0x6A80), // unknown algorithm
        ("00 22 41 A4 03 84 03 82", 0x6A80),         // broken TLV
        ("00 20 00 02", 0x6A88),                     // no PIN 02
        ("00 20 00 01 09 31 32 33 34 FF FF FF FF FF", 0x6700), // longer than the stored length
        ("00 C0 00 00 10", 0x6985),                  // nothing to get
        // nothing selected / wrong file kind / not found
        ("00 B0 00 00 10", 0x6986),
        ("00 A4 00 04 02 12 34 00", 0x6A82), ("00 A4 04 04 05 A0 00 00 00 01 00", 0x6A82),
        ("00 A4 09 04 04 3F 00 99 99 00", 0x6A82), ("00 B0 95 00 10", 0x6A82),
        // security
        ("00 88 00 00 02 01 02 00", 0x6985),          // no MSE SET
        ("00 2A 80 86 02 81 00 00", 0x6985),          // no confidentiality environment
        ("00 2A 9E 9A 02 01 02 00", 0x6985),          // no non-repudiation key
    ] as [(String, Int)])
    func statusWord(_ hex: String, _ expected: Int) throws {
        let card = try Fixture.card()
        let response = try card.send(hex)
        #expect(response.status.rawValue == UInt16(expected), "\(hex) -> \(response.status)")
        // The card still works afterwards.
        #expect(try card.send("00 A4 00 0C 02 3F 00").status == .success)
    }

    @Test func readPastTheEnd() throws {
        let card = try Fixture.card()
        let fcp = try card.send("00 A4 09 04 04 3F 00 2F 01 00")
        #expect(fcp.status == .success)
        let size = Int(fcp.data[4]) << 8 | Int(fcp.data[5])
        // Offset beyond the end: 6B 00.
        #expect(try card.send(.readBinary(offset: size, count: 1)).status == .wrongParameters)
        #expect(try card.send(.readBinary(offset: 0x7FFF, count: 1)).status == .wrongParameters)
        // Fewer bytes left than asked: the rest and 62 82.
        let tail = try card.send(.readBinary(offset: size - 3, count: 10))
        #expect(tail.status == .endOfFileReached)
        #expect(tail.data.count == 3)
    }

    @Test func readingADirectoryIsRefused() throws {
        let card = try Fixture.card()
        #expect(try card.send("00 A4 09 0C 04 3F 00 00 01").status == .success)
        #expect(try card.send(.readBinary(offset: 0, count: 4)).status == .commandNotAllowed)
    }

    @Test func randomBytesNeverStopTheCard() throws {
        let card = try Fixture.card()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0...300, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if count > 0, Bool.random(using: &generator) { bytes[0] = 0x00 }
            let response = try card.transmit(bytes)
            #expect(response.count >= 2)
        }
        #expect(try card.send("00 A4 00 0C 02 3F 00").status == .success)
    }
}
