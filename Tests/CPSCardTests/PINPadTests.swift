import CPSCard
import PCSC
import PINEntry
import SmartCard
import Testing

/// PIN pad (PC/SC part 10 secure PIN entry), on a fake reader: virtual (vpcd) readers have
/// no part 10 features, so nothing here has run against a real PIN pad.
@Suite struct PINPadTests {
    // MARK: The verify structure

    /// The CPS3 user PIN structure with a 30 s timeout and one message, written out by hand
    /// from pcsc-lite's `reader.h` layout and the CCID field definitions, not from the builder.
    static let cps3Structure: [UInt8] = hex("""
        1E          bTimerOut 30 s
        00          bTimerOut2: the reader's default
        82          bmFormatString: b7=1 units are bytes, b6-3=0 PIN at data byte 0, b2=0 left, b1-0=10 ASCII
        08          bmPINBlockString: b7-4=0 no PIN length field, b3-0=8 bytes of PIN block
        00          bmPINLengthFormat: no PIN length field
        08 04       wPINMaxExtraDigit 0x0408 little-endian: max 8, min 4
        02          bEntryValidationCondition: validation key pressed
        01          bNumberMessage: one message
        0C 04       wLangId 0x040C (French) little-endian
        00          bMsgIndex: "enter the PIN"
        00 00 00    bTeoPrologue
        0D 00 00 00 ulDataLength 13 little-endian
        00 20 00 01 08 FF FF FF FF FF FF FF FF   abData: VERIFY PIN 01, 8-byte block padded with FF
        """)

    @Test func cps3StructureMatchesTheSpecFieldByField() throws {
        let bytes = try cps3Request(timeoutSeconds: 30, messages: .one).encoded()
        let expected = Self.cps3Structure
        #expect(bytes.count == 32)
        #expect(bytes[0] == expected[0], "bTimerOut")
        #expect(bytes[1] == expected[1], "bTimerOut2")
        #expect(bytes[2] == expected[2], "bmFormatString")
        #expect(bytes[3] == expected[3], "bmPINBlockString")
        #expect(bytes[4] == expected[4], "bmPINLengthFormat")
        #expect(Array(bytes[5...6]) == Array(expected[5...6]), "wPINMaxExtraDigit")
        #expect(bytes[7] == expected[7], "bEntryValidationCondition")
        #expect(bytes[8] == expected[8], "bNumberMessage")
        #expect(Array(bytes[9...10]) == Array(expected[9...10]), "wLangId")
        #expect(bytes[11] == expected[11], "bMsgIndex")
        #expect(Array(bytes[12...14]) == Array(expected[12...14]), "bTeoPrologue")
        #expect(Array(bytes[15...18]) == Array(expected[15...18]), "ulDataLength")
        #expect(Array(bytes[19...]) == Array(expected[19...]), "abData")
        #expect(bytes == expected)
    }

    /// The coherence check the CCID driver makes before sending: ulDataLength + 19 == length.
    @Test func dataLengthMatchesTheAPDU() throws {
        let bytes = try cps3Request().encoded()
        let dataLength = bytes[15...18].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(dataLength + 19 == bytes.count)
        #expect(Array(bytes[19...]) == CommandAPDU.verify(reference: 0x01, pin: [UInt8](repeating: 0xFF, count: 8)).bytes)
    }

    @Test(arguments: [(UInt8(30), PINPadRequest.Messages.one, UInt8(0x1E), UInt8(0x01)),
                      (15, .none, 0x0F, 0x00),
                      (255, .readerDefault, 0xFF, 0xFF)])
    func timeoutAndMessagesGoWhereTheSpecSays(timeout: UInt8, messages: PINPadRequest.Messages, byte0: UInt8, byte8: UInt8) throws {
        let bytes = try cps3Request(timeoutSeconds: timeout, messages: messages).encoded()
        #expect(bytes[0] == byte0)
        #expect(bytes[8] == byte8)
        // Nothing else moves.
        #expect(Array(bytes[1...7]) == Array(Self.cps3Structure[1...7]))
        #expect(Array(bytes[9...]) == Array(Self.cps3Structure[9...]))
    }

    @Test func otherFormatsSetTheirBits() throws {
        // BCD, right-justified, PIN at data byte 1, 4-bit length field at bit 0 (ISO 9564 format 2 style).
        var request = cps3Request()
        request.format = .bcd
        request.rightJustified = true
        request.pinPosition = 1
        request.pinBlockSize = 7
        request.pinLengthFieldBits = 4
        request.pinLengthFieldPosition = 4
        request.minDigits = 4
        request.maxDigits = 12
        let bytes = try request.encoded()
        #expect(bytes[2] == 0b1_0001_1_01) // bytes, position 1, right, BCD
        #expect(bytes[3] == 0x47)
        #expect(bytes[4] == 0x04)
        #expect(Array(bytes[5...6]) == [0x0C, 0x04])
    }

    /// Requests that cannot be encoded: (what is wrong, the request).
    static let invalidRequests: [(String, PINPadRequest)] = {
        func changed(_ change: (inout PINPadRequest) -> Void) -> PINPadRequest {
            var request = cps3Request()
            change(&request)
            return request
        }
        return [
            ("block size over 4 bits", changed { $0.pinBlockSize = 16 }),
            ("position over 4 bits", changed { $0.pinPosition = 16 }),
            ("length field over 4 bits", changed { $0.pinLengthFieldBits = 16 }),
            ("min above max", changed { $0.minDigits = 9 }),
            ("zero digits", changed { $0.minDigits = 0 }),
            ("more digits than the block holds", changed { $0.maxDigits = 9 }),
            ("no validation condition", changed { $0.entryValidation = [] }),
            ("block outside the APDU", changed { $0.pinPosition = 1 }),
            ("no data in the APDU", changed { $0.apduTemplate = .verify(reference: 0x01) }),
        ]
    }()

    @Test(arguments: invalidRequests)
    func invalidRequestsAreRefused(_ name: String, request: PINPadRequest) {
        #expect(throws: PINPadError.self, "\(name)") { try request.encoded() }
    }

    @Test(arguments: [(Duration.seconds(30), UInt8(30)), (.milliseconds(1500), 2), (.zero, 1),
                      (.seconds(255), 255), (.seconds(1000), 255), (.seconds(-5), 1)])
    func timeoutIsWholeSecondsBounded(duration: Duration, seconds: UInt8) {
        #expect(PINPad<FakeReader>.timeoutSeconds(duration) == seconds)
    }

    // MARK: Reader properties

    @Test func pinPropertiesStructure() throws {
        // wLcdLayout 0x0210 little-endian (2 lines of 16), all validation conditions, bTimeOut2 0.
        let p = try PINPadProperties.parsePINProperties([0x10, 0x02, 0x07, 0x00])
        #expect(p.lcdLayout == 0x0210)
        #expect(p.hasDisplay == true)
        #expect(p.lcdLines == 2)
        #expect(p.lcdCharactersPerLine == 16)
        #expect(p.entryValidation == [.maxSizeReached, .validationKeyPressed, .timeout])
        #expect(p.timeout2 == 0)

        let noDisplay = try PINPadProperties.parsePINProperties([0x00, 0x00, 0x02, 0x00])
        #expect(noDisplay.hasDisplay == false)
        #expect(noDisplay.lcdLines == nil)
        #expect(noDisplay.entryValidation == .validationKeyPressed)

        #expect(throws: PINPadError.malformedProperties([0x00, 0x00, 0x02])) {
            try PINPadProperties.parsePINProperties([0x00, 0x00, 0x02])
        }
    }

    @Test func tlvProperties() {
        let bytes = Self.hex("""
            01 02 10 02         wLcdLayout 0x0210
            04 02 10 00         wLcdMaxCharacters (not kept)
            03 01 00            bTimeOut2 0
            08 05 56 31 2E 30 30  sFirmwareID "V1.00"
            06 01 04            bMinPINSize 4
            07 01 08            bMaxPINSize 8
            02 01 02            bEntryValidationCondition: key pressed
            09 01 00            bPPDUSupport (not kept)
            0B 02 E6 08         wIdVendor 0x08E6
            0C 02 25 34         wIdProduct 0x3425
            0A 04 00 00 01 00   dwMaxAPDUDataSize 0x10000
            06 02 09 09         bMinPINSize with a wrong length: ignored
            07 05 01            truncated: ends the list
            """)
        let p = PINPadProperties.parseTLVProperties(bytes)
        #expect(p == PINPadProperties(lcdLayout: 0x0210, entryValidation: .validationKeyPressed, timeout2: 0,
                                      minPINSize: 4, maxPINSize: 8, firmwareID: "V1.00",
                                      vendorID: 0x08E6, productID: 0x3425, maxAPDUDataSize: 0x10000))
        #expect(PINPadProperties.parseTLVProperties([]) == PINPadProperties())
    }

    // MARK: The verifier on a fake reader

    /// Control codes as the CCID driver makes them: SCARD_CTL_CODE(0x330000 + feature).
    static let verifyCode: UInt32 = 0x4233_0006
    static let propertiesCode: UInt32 = 0x4233_000A
    static let tlvCode: UInt32 = 0x4233_0012
    static let featureRequestCode: UInt32 = 0x4200_0D48 // SCARD_CTL_CODE(3400)
    /// CM_IOCTL_GET_FEATURE_REQUEST answer: tag, 04, code big-endian.
    static let verifyFeature: [UInt8] = [0x06, 0x04, 0x42, 0x33, 0x00, 0x06]
    static let propertiesFeature: [UInt8] = [0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A]
    static let tlvFeature: [UInt8] = [0x12, 0x04, 0x42, 0x33, 0x00, 0x12]

    /// The structure a reader without a display gets: as above, bNumberMessage 00.
    static var structureWithoutMessage: [UInt8] {
        var s = cps3Structure
        s[8] = 0x00
        return s
    }

    static let statuses: [(StatusWord, PINPadOutcome)] = [
        (.success, .verified),
        (StatusWord(rawValue: 0x63C2), .incorrect(triesLeft: 2)),
        (StatusWord(rawValue: 0x63C1), .incorrect(triesLeft: 1)),
        (StatusWord(rawValue: 0x63C0), .incorrect(triesLeft: 0)),
        (.authenticationMethodBlocked, .blocked),
        (StatusWord(rawValue: 0x6401), .cancelled),
        (StatusWord(rawValue: 0x6400), .timeout),
        (StatusWord(rawValue: 0x6403), .otherStatus(StatusWord(rawValue: 0x6403))),
        (StatusWord(rawValue: 0x6B80), .otherStatus(StatusWord(rawValue: 0x6B80))),
        (.securityStatusNotSatisfied, .otherStatus(.securityStatusNotSatisfied)),
    ]

    @Test(arguments: statuses)
    func mapsTheReadersStatusWord(status: StatusWord, outcome: PINPadOutcome) throws {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature),
            Self.verifyCode: .success([status.sw1, status.sw2]),
        ])
        let pad = PINPad(reader: reader)
        #expect(pad.hasPINPad)
        #expect(try pad.verifyOnPINPad(cps3Request(), timeout: .seconds(30)) == outcome)
        // Exactly the feature request, then the verify structure; no PIN anywhere.
        #expect(reader.log.calls == [
            FakeReader.Call(code: Self.featureRequestCode, input: []),
            FakeReader.Call(code: Self.verifyCode, input: Self.structureWithoutMessage),
        ])
    }

    @Test func aReaderWithADisplayGetsTheFrenchMessage() throws {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature + Self.propertiesFeature),
            Self.propertiesCode: .success([0x10, 0x02, 0x07, 0x00]),
            Self.verifyCode: .success([0x90, 0x00]),
        ])
        #expect(try PINPad(reader: reader).verifyOnPINPad(cps3Request(), timeout: .seconds(30)) == .verified)
        #expect(reader.log.calls == [
            FakeReader.Call(code: Self.featureRequestCode, input: []),
            FakeReader.Call(code: Self.propertiesCode, input: []),
            FakeReader.Call(code: Self.verifyCode, input: Self.cps3Structure),
        ])
    }

    @Test func tlvPropertiesArePreferredAndANoDisplayReaderGetsNoMessage() throws {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.propertiesFeature + Self.verifyFeature + Self.tlvFeature),
            Self.tlvCode: .success([0x01, 0x02, 0x00, 0x00, 0x03, 0x01, 0x00]),
            Self.verifyCode: .success([0x63, 0xC2]),
        ])
        let pad = PINPad(reader: reader)
        #expect(try pad.properties()?.hasDisplay == false)
        #expect(try pad.verifyOnPINPad(cps3Request(), timeout: .seconds(30)) == .incorrect(triesLeft: 2))
        #expect(reader.log.calls.map(\.code) == [Self.featureRequestCode, Self.tlvCode, Self.tlvCode, Self.verifyCode])
        #expect(reader.log.calls.last?.input == Self.structureWithoutMessage)
    }

    @Test func propertiesThatFailDoNotStopTheVerification() throws {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature + Self.propertiesFeature),
            Self.propertiesCode: .failure(PCSCError(.notTransacted, function: "SCardControl")),
            Self.verifyCode: .success([0x90, 0x00]),
        ])
        #expect(try PINPad(reader: reader).verifyOnPINPad(cps3Request(), timeout: .seconds(30)) == .verified)
        #expect(reader.log.calls.last == FakeReader.Call(code: Self.verifyCode, input: Self.structureWithoutMessage))
    }

    @Test func theTimeoutReachesTheStructure() throws {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature),
            Self.verifyCode: .success([0x90, 0x00]),
        ])
        _ = try PINPad(reader: reader).verifyOnPINPad(cps3Request(), timeout: .seconds(45))
        #expect(reader.log.calls.last?.input.first == 45)
    }

    @Test(arguments: [[UInt8](), [0x06, 0x04, 0x42, 0x33], [0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A]])
    func aReaderWithoutTheFeatureHasNoPINPad(featureAnswer: [UInt8]) {
        let reader = FakeReader(answers: [Self.featureRequestCode: .success(featureAnswer)])
        let pad = PINPad(reader: reader)
        #expect(!pad.hasPINPad)
        #expect(throws: PINPadError.noPINPad) { try pad.verifyOnPINPad(cps3Request()) }
        #expect(throws: PINPadError.noPINPad) { try pad.verify(cps3Request()) }
        #expect(PINPadError.noPINPad.authenticationError == .pinEntryUnavailable)
        // Nothing but the feature request was sent.
        #expect(reader.log.calls == [FakeReader.Call(code: Self.featureRequestCode, input: [])])
    }

    @Test func aReaderRefusingTheFeatureRequestHasNoPINPad() {
        // vpcd readers answer the feature request with an error.
        let reader = FakeReader(answers: [:])
        #expect(!PINPad(reader: reader).hasPINPad)
        #expect(PINPad(reader: reader).features.isEmpty)
    }

    @Test func transportErrorsAreTyped() {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature),
            Self.verifyCode: .failure(PCSCError(.removedCard, function: "SCardControl")),
        ])
        let pad = PINPad(reader: reader)
        #expect(throws: PINPadError.transport(PCSCError(.removedCard))) { try pad.verifyOnPINPad(cps3Request()) }
        #expect(PINPadError.transport(PCSCError(.removedCard)).authenticationError == .cardRemoved)
        #expect(PINPadError.transport(PCSCError(.notTransacted)).authenticationError.code == "internal")
    }

    @Test(arguments: [[UInt8](), [0x90]])
    func aShortAnswerIsMalformed(answer: [UInt8]) {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature),
            Self.verifyCode: .success(answer),
        ])
        #expect(throws: PINPadError.malformedResponse(answer)) { try PINPad(reader: reader).verifyOnPINPad(cps3Request()) }
    }

    @Test func anInvalidRequestIsNotSent() {
        let reader = FakeReader(answers: [
            Self.featureRequestCode: .success(Self.verifyFeature),
            Self.verifyCode: .success([0x90, 0x00]),
        ])
        var request = cps3Request()
        request.maxDigits = 20
        #expect(throws: PINPadError.self) { try PINPad(reader: reader).verify(request) }
        #expect(reader.log.calls.map(\.code) == [Self.featureRequestCode])
    }

    @Test(arguments: [
        (PINPadOutcome.verified, Result<AuthenticationFlow.VerificationOutcome, AuthenticationError>.success(.verified)),
        (.incorrect(triesLeft: 2), .success(.incorrect(triesLeft: 2))),
        (.blocked, .success(.blocked)),
        (.cancelled, .failure(.cancelled)),
        (.timeout, .failure(.timeout)),
        (.otherStatus(StatusWord(rawValue: 0x6B80)), .failure(.internal(detail: "PIN pad verification answered 6B 80"))),
    ])
    func outcomesFeedTheFlow(outcome: PINPadOutcome, expected: Result<AuthenticationFlow.VerificationOutcome, AuthenticationError>) {
        #expect(outcome.flowOutcome == expected)
    }

    // MARK: Helpers

    /// Hex bytes from a layout with comments: each line's leading run of two-digit hex tokens.
    static func hex(_ layout: String) -> [UInt8] {
        layout.split(separator: "\n").flatMap { line in
            line.split(separator: " ").prefix { $0.count == 2 && UInt8($0, radix: 16) != nil }.map { UInt8($0, radix: 16)! }
        }
    }
}

/// A reader that answers control codes from a table and records every call.
struct FakeReader: ReaderControlling {
    struct Call: Hashable {
        var code: UInt32
        var input: [UInt8]
    }

    final class Log {
        var calls: [Call] = []
    }

    /// Codes not in the table fail as pcscd does for an unknown code.
    var answers: [UInt32: Result<[UInt8], PCSCError>]
    let log = Log()

    func control(_ code: UInt32, _ input: [UInt8]) throws(PCSCError) -> [UInt8] {
        log.calls.append(Call(code: code, input: input))
        guard let answer = answers[code] else { throw PCSCError(.unsupportedFeature, function: "SCardControl") }
        return try answer.get()
    }
}


/// The CPS3 user PIN's structure, as the card's profile makes it, with a timeout and messages.
func cps3Request(timeoutSeconds: UInt8 = PINPadRequest.defaultTimeoutSeconds, messages: PINPadRequest.Messages = .one) -> PINPadRequest {
    var request = CardProfile.cps3.userPIN!.pinPadRequest
    request.timeoutSeconds = timeoutSeconds
    request.messages = messages
    return request
}
