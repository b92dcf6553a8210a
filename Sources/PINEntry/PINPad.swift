import PCSC
import SmartCard

/// The PIN pad of one reader: PIN verification by PC/SC part 10 secure PIN entry
/// (`FEATURE_VERIFY_PIN_DIRECT`).
///
/// The person types the PIN on the reader, the reader puts it into the VERIFY APDU and sends
/// it to the card; the computer sees only the card's status word. This type never handles a
/// PIN. All methods block (up to the PIN timeout for a verification): call them off the
/// cooperative pool, inside the card's serialised access, with the card application selected.
public struct PINPad<Reader: ReaderControlling> {
    public let reader: Reader
    /// The reader's part 10 features, read once when this value was made.
    public let features: [ReaderFeature: UInt32]

    /// Reads the reader's features (`CM_IOCTL_GET_FEATURE_REQUEST`).
    public init(reader: Reader) {
        self.reader = reader
        features = reader.readerFeatures()
    }

    /// Whether the reader verifies PINs on its own keypad.
    public var hasPINPad: Bool { features[.verifyPINDirect] != nil }

    /// What the reader says about its PIN pad: `FEATURE_GET_TLV_PROPERTIES` when it has it,
    /// else `FEATURE_IFD_PIN_PROPERTIES`; `nil` when it has neither.
    /// - Throws: `.transport` when the reader refuses the request, `.malformedProperties`.
    public func properties() throws(PINPadError) -> PINPadProperties? {
        if let code = features[.tlvProperties] {
            return PINPadProperties.parseTLVProperties(try control(code, []))
        }
        if let code = features[.pinProperties] {
            return try PINPadProperties.parsePINProperties(try control(code, []))
        }
        return nil
    }

    /// Has the person type a PIN on the reader and returns what the card said.
    ///
    /// `request` is the card's own structure (its PIN reference, format and VERIFY template:
    /// the card's profile makes it); its timeout is set from `timeout`, and a message ("enter
    /// your PIN", in French) is asked for only when the reader says it has a display. Readers
    /// that do not say get none, as OpenSC does.
    /// - Parameter timeout: how long the reader waits for the PIN; rounded up to whole
    ///   seconds, 1 to 255.
    /// - Throws: `.noPINPad` when the reader has no `FEATURE_VERIFY_PIN_DIRECT` (nothing is
    ///   sent), `.transport` when `SCardControl` fails, `.malformedResponse`.
    public func verifyOnPINPad(_ request: PINPadRequest, timeout: Duration = .seconds(Int(PINPadRequest.defaultTimeoutSeconds))) throws(PINPadError) -> PINPadOutcome {
        guard hasPINPad else { throw .noPINPad }
        let display = (try? properties())?.hasDisplay ?? false
        var request = request
        request.timeoutSeconds = Self.timeoutSeconds(timeout)
        request.messages = display ? .one : .none
        return try verify(request)
    }

    /// Sends `request` with `FEATURE_VERIFY_PIN_DIRECT` and maps the answer.
    /// - Throws: as `verifyOnPINPad`, and `.invalidRequest` when `request` cannot be encoded.
    public func verify(_ request: PINPadRequest) throws(PINPadError) -> PINPadOutcome {
        guard let code = features[.verifyPINDirect] else { throw .noPINPad }
        let answer = try control(code, try request.encoded())
        return try PINPadOutcome(response: answer)
    }

    /// `bTimerOut` for `timeout`: whole seconds rounded up, 1...255 (0 would mean the reader's
    /// own default, which we do not want: every wait is bounded and known).
    public static func timeoutSeconds(_ timeout: Duration) -> UInt8 {
        let (seconds, attoseconds) = timeout.components
        let whole = seconds + (attoseconds > 0 ? 1 : 0)
        return UInt8(clamping: max(whole, 1))
    }

    private func control(_ code: UInt32, _ input: [UInt8]) throws(PINPadError) -> [UInt8] {
        do throws(PCSCError) {
            return try reader.control(code, input)
        } catch {
            throw .transport(error)
        }
    }
}

extension PINPad: Sendable where Reader: Sendable {}
