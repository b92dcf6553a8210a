import CPSSimulator
import SmartCard
import Testing

/// SELECT forms, READ BINARY by offset and by SFI, and the files OpenSC reads at start.
@Suite struct FileSystemTests {
    @Test(arguments: [
        "00 A4 09 04 04 3F 00 2F 01 00",   // OpenSC's form: P1=09 with a path from 3F00
        "00 A4 08 04 04 3F 00 2F 01 00",   // path from the MF, 3F00 included
        "00 A4 08 04 02 2F 01 00",         // path from the MF, ISO form
        "00 A4 00 04 02 2F 01 00",         // FID from the MF
        "00 A4 02 04 02 2F 01 00",         // EF in the current DF (the MF)
        "00 A4 09 00 04 3F 00 2F 01 00",   // FCI
        "00 A4 09 0C 04 3F 00 2F 01",      // no response data
    ])
    func selectEFATR(_ hex: String) throws {
        let card = try Fixture.card()
        let response = try card.send(hex)
        #expect(response.status == .success)
        if hex.contains(" 04 04 ") || hex.contains("08 04 02") || hex.contains("00 04 02") || hex.contains("02 04 02") {
            #expect(response.data.first == 0x62)
            let (fcp, _) = try BERTLV.parse(response.data)
            #expect(fcp.child(0x83)?.value == [0x2F, 0x01])
            #expect(fcp.child(0xA1)?.child(0x8C)?.value == [0x03, 0xFF, 0x00], "READ always, UPDATE never")
        }
        let content = try card.send(.readBinary(offset: 0, count: 256))
        #expect(content.data.first == 0x80, "stray category byte, as on real CPx cards")
        let objects = try BERTLV.parseAll(content.data.dropFirst())
        #expect((objects.first { $0.tag == 0x46 }?.value.count ?? 0) >= 4)
        #expect((objects.first { $0.tag == 0xE0 }?.value.count ?? 0) >= 16)
    }

    @Test func selectApplicationByAIDAndByPath() throws {
        let card = try Fixture.card()
        let aid = CardProfile.cps3Contact.applicationAID
        let byName = try card.send(.selectApplication(aid))
        #expect(byName.status == .success)
        #expect(try BERTLV.parse(byName.data).0.child(0x84)?.value == aid)
        #expect(try card.send("00 A4 09 04 04 3F 00 00 01 00") == byName)
        // From the application DF, P1=09 without 3F00 is relative.
        #expect(try card.send("00 A4 09 04 02 50 31 00").status == .success)
        #expect(try card.send("00 A4 03 04 00").status == .success, "parent of the application DF")
        #expect(try card.send("00 A4 00 0C 02 3F 00").status == .success)
        #expect(try card.send("00 A4 09 04 02 50 31 00").status == .fileNotFound, "5031 is not in the MF")
    }

    @Test func serialNumberBySFI() throws {
        let card = try Fixture.card()
        let response = try card.send("00 B0 9C 00 C0")
        #expect(response.status == .endOfFileReached)
        #expect(response.data.count == 12)
        #expect(Array(response.data.prefix(2)) == [0x5A, 0x0A])
        #expect(response.data[2...].compactHex.hasPrefix("8025000001"))
        // The SFI read made EF.SN.ICC current: READ BINARY by offset continues on it.
        #expect(try card.send(.readBinary(offset: 2, count: 5)).data == Array(response.data[2..<7]))
    }

    @Test func readBinaryInChunksRebuildsTheCertificate() throws {
        let card = try Fixture.card()
        let fcp = try card.send("00 A4 09 04 06 3F 00 00 01 70 10 00")
        #expect(fcp.status == .success)
        let size = Int(fcp.data[4]) << 8 | Int(fcp.data[5])
        var certificate: [UInt8] = []
        while certificate.count < size {
            let chunk = try card.send(.readBinary(offset: certificate.count, count: min(256, size - certificate.count)))
            #expect(chunk.status == .success)
            certificate += chunk.data
        }
        #expect(certificate == (try CardCredentials.der(Fixture.credentials.holderCertificate)))
    }

    @Test func pkcs15StructuresParse() throws {
        let card = try Fixture.card()
        for fid in ["2F 00"] {
            #expect(try card.send("00 A4 09 0C 04 3F 00 \(fid)").status == .success)
            let dir = try BERTLV.parse(try card.send(.readBinary(offset: 0, count: 256)).data).0
            #expect(dir.tag == 0x61)
            #expect(dir.child(0x4F)?.value == CardProfile.cps3Contact.applicationAID)
            #expect(dir.child(0x51)?.value == [0x3F, 0x00, 0x00, 0x01])
        }
        for fid in ["50 31", "50 32", "70 01", "70 02", "70 04"] {
            #expect(try card.send("00 A4 09 0C 06 3F 00 00 01 \(fid)").status == .success)
            let data = try card.send(.readBinary(offset: 0, count: 256)).data
            #expect(!data.isEmpty)
            #expect(throws: Never.self) { try BERTLV.parseAll(data) }
        }
    }
}
