import CardTestBed
@testable import CPSCard
import CPSIdentity
import Logging
import PKCS11
import SmartCard
import Testing

/// `CardFileRead`, the holder and PIN state read over PC/SC while the module loads: the
/// directory files parsed as a PKCS#15 reader must, and through the real chain, a status that
/// names the holder before the module has loaded, with nothing sent but reads.
@Suite struct CardFileReadTests {
    // MARK: The directory files (pure logic)

    @Test func theODFGivesTheCertificateDirectoriesUpToItsPadding() {
        let odf: [UInt8] = [0xA0, 0x06, 0x30, 0x04, 0x04, 0x02, 0x40, 0x01,   // PrKDF
                            0xA4, 0x0A, 0x30, 0x08, 0x04, 0x06, 0x3F, 0x00, 0x00, 0x01, 0x40, 0x04,   // CDF
                            0xA4, 0x06, 0x30, 0x04, 0x04, 0x02, 0x40, 0x05,   // a second CDF, relative
                            0x00, 0x00, 0x00]
        #expect(CardFileRead.directoryPaths(odf, kind: 0xA4) == [[0x3F, 0x00, 0x00, 0x01, 0x40, 0x04], [0x40, 0x05]])
        #expect(CardFileRead.directoryPaths([0xFF, 0xFF], kind: 0xA4).isEmpty)
        #expect(CardFileRead.directoryPaths([], kind: 0xA4).isEmpty)
    }

    @Test func theCDFEntryIsChosenByItsLabel() {
        func entry(_ label: String, path: [UInt8]) -> [UInt8] {
            BERTLV(tag: 0x30, children: [
                BERTLV(tag: 0x30, children: [BERTLV(tag: 0x0C, value: Array(label.utf8))]),
                BERTLV(tag: 0x30, children: [BERTLV(tag: 0x04, value: [0x02])]),
                BERTLV(tag: 0xA1, children: [BERTLV(tag: 0x30, children: [BERTLV(tag: 0x30, children: [BERTLV(tag: 0x04, value: path)])])]),
            ]).bytes
        }
        let cdf = entry("CPS_CERT_SIG", path: [0x3F, 0x00, 0x00, 0x01, 0xC0, 0x01]) + entry("CPS_CERT_AUT", path: [0xC0, 0x02]) + [0x00]
        #expect(CardFileRead.certificatePath(cdf, label: "CPS_CERT_AUT") == [0xC0, 0x02])
        #expect(CardFileRead.certificatePath(cdf, label: "CPS_CERT_SIG") == [0x3F, 0x00, 0x00, 0x01, 0xC0, 0x01])
        #expect(CardFileRead.certificatePath(cdf, label: "OTHER") == nil)
        #expect(CardFileRead.certificatePath([0x30, 0x05, 0x01], label: "CPS_CERT_AUT") == nil, "a truncated file is no entry")
    }

    @Test func pathsAreSelectedFromTheMF() {
        #expect(CardFileRead.resolved([0x3F, 0x00, 0x00, 0x01, 0x50, 0x31], application: [0x00, 0x01]) == [0x00, 0x01, 0x50, 0x31])
        #expect(CardFileRead.resolved([0x50, 0x31], application: [0x00, 0x01]) == [0x00, 0x01, 0x50, 0x31])
    }

    @Test func aDERObjectsLengthComesFromItsHeader() {
        #expect(CardFileRead.derObjectLength([0x30, 0x82, 0x05, 0xA0, 0x30]) == 4 + 0x5A0)
        #expect(CardFileRead.derObjectLength([0x30, 0x81, 0x90]) == 3 + 0x90)
        #expect(CardFileRead.derObjectLength([0x30, 0x10]) == 2 + 0x10)
        #expect(CardFileRead.derObjectLength([0x30, 0x82, 0x05]) == nil, "the header is not all there")
        #expect(CardFileRead.derObjectLength([0x30, 0x80]) == nil, "indefinite length is not DER")
    }

    // MARK: Through the real chain

    @Test(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
    func theHolderAndTriesAreReadWithoutTheModuleAndWithoutAPIN() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--surname", "MARTIN", "--given-name", "ZOÉ", "--tries", "2"])
            defer { card.stop() }
            let found = try #require(CardFileRead.read(reader: readers[0].name, profile: .cps3, logger: Logger(label: "test")))
            #expect(found.holder.familyName == "MARTIN")
            #expect(found.holder.givenName == "ZOÉ")
            #expect(found.pin == .exact(triesLeft: 2, maxTries: 3))
            // Only SELECT, READ BINARY and GET DATA: no VERIFY, no PIN, nothing that changes the card.
            let instructions = Set(card.apduLog().compactMap(Self.instruction))
            #expect(instructions.isSubset(of: ["A4", "B0", "CB"]), "sent: \(instructions.sorted())")
            #expect(instructions.contains("B0"))
            // A kind whose application is not known is not read this way.
            #expect(CardFileRead.read(reader: readers[0].name, profile: .cps4, logger: Logger(label: "test")) == nil)
        }
    }

    /// While the module is held back, a status already names the holder (read over PC/SC on
    /// the loading thread, before the module: `EarlyCardReads`) and
    /// says the module is not there yet; once it has loaded, the next status costs the card
    /// nothing (the session starts from what was read), and a login works.
    @Test(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
    func aStatusNamesTheHolderBeforeTheModuleHasLoaded() async throws {
        _ = try CardBed.shared()
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--surname", "PETIT", "--given-name", "NOÉ"])
            defer { card.stop() }
            let configuration = CardService.Configuration(operationTimeout: .seconds(10))
            let logger = Logger(label: "test")
            try CardModule.prepare(runtimeDirectory: configuration.runtimeDirectory, logger: logger)
            let gate = ModuleLoadingTests.Gate()
            // The cards present are read first, on the loading thread; the load then waits here.
            let service = CardService(configuration: configuration, logger: logger, load: .success {
                gate.waitOpen()
                return try PKCS11Module.load(path: TestEnvironment.openSCModulePath)
            })
            let run = Task { try await service.run() }
            defer { run.cancel() }
            try await CardServiceTests.waitForCards(service, readers)

            let early = await service.status()
            #expect(!service.isModuleSettled)
            #expect(early.module == nil)
            let shown = try #require(early.readers.first { $0.name == readers[0].name }?.card)
            #expect(shown.holder?.familyName == "PETIT")
            #expect(shown.pin == .exact(triesLeft: 3, maxTries: 3))
            // Known from then on, with no further card call.
            #expect(service.knownStatus()?.readers.first { $0.name == readers[0].name }?.card?.holder?.familyName == "PETIT")

            gate.open()
            await service.waitForModule()
            let sent = card.apduLog().count
            let later = await service.status()
            #expect(later.module == TestEnvironment.openSCModulePath)
            #expect(later.readers.first { $0.name == readers[0].name }?.card?.holder?.familyName == "PETIT")
            #expect(card.apduLog().count == sent, "the status after the module loaded went to the card again")
            let result = try await service.authenticate(CardServiceTests.request("1234")).get()
            #expect(result.holder.familyName == "PETIT")
            #expect(result.signature.count == 256)
        }
    }

    /// The instruction byte of a command in the card's log ("> 00 A4 ..." lines), as hex.
    static func instruction(_ line: String) -> String? {
        let fields = line.split(separator: " ")
        guard let arrow = fields.firstIndex(where: { $0 == ">" || $0 == "->" || $0 == "C:" }), fields.count > arrow + 2 else { return nil }
        return String(fields[arrow + 2]).uppercased()
    }
}
