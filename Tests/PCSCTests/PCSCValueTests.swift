@testable import PCSC
import Testing

@Suite struct PCSCValueTests {
    @Test func statusCodesPrintTheirCName() {
        #expect(PCSCStatus.noService.description == "SCARD_E_NO_SERVICE (0x8010001D)")
        #expect(PCSCStatus.removedCard.name == "SCARD_W_REMOVED_CARD")
        #expect(PCSCStatus(rawValue: 0x1234).name == nil)
        #expect(PCSCStatus.serviceStopped.meansServiceGone)
        #expect(PCSCStatus.removedCard.meansCardGone)
        #expect(!PCSCStatus.timeout.meansCardGone)
    }

    @Test func errorsCompareOnTheCode() {
        #expect(PCSCError(.removedCard, function: "SCardTransmit") == PCSCError(.removedCard))
        #expect(PCSCError(.removedCard, function: "SCardTransmit").description
            == "SCardTransmit: SCARD_W_REMOVED_CARD (0x80100069)")
    }

    @Test func multiStringsSplitOnNul() {
        let bytes: [CChar] = Array("A 00 00\0B 00 01\0\0".utf8).map { CChar(bitPattern: $0) }
        #expect(PCSCContext.splitMultiString(bytes) == ["A 00 00", "B 00 01"])
        #expect(PCSCContext.splitMultiString([0, 0]) == [])
    }

    @Test func featureListGivesControlCodes() {
        // FEATURE_VERIFY_PIN_DIRECT -> 0x42330006, FEATURE_IFD_PIN_PROPERTIES -> 0x4233000A, then junk.
        let list: [UInt8] = [0x06, 0x04, 0x42, 0x33, 0x00, 0x06, 0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A, 0x12, 0x04, 0x00]
        let features = ReaderFeature.parseFeatureList(list)
        #expect(features[.verifyPINDirect] == 0x4233_0006)
        #expect(features[.pinProperties] == 0x4233_000A)
        #expect(features[.tlvProperties] == nil)
        #expect(ReaderFeature.getFeatureRequestControlCode == 0x4200_0D48)
    }

    @Test func readerStateSplitsFlagsAndCounter() {
        var state = ReaderState(reader: "r")
        state.eventState = 0x0003_0000 | ReaderStateFlags.present.rawValue | ReaderStateFlags.changed.rawValue
        #expect(state.flags.contains(.present))
        #expect(state.hasChanged)
        #expect(state.eventCounter == 3)
        state.acknowledge()
        #expect(state.currentState & ReaderStateFlags.changed.rawValue == 0)
        #expect(state.currentState >> 16 == 3)
    }
}
