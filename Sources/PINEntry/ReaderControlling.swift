import PCSC

/// A reader the PIN pad code can drive: its PC/SC part 10 features and `SCardControl`.
///
/// `CardConnection` is one; tests use a fake, since virtual (vpcd) readers have no PIN pad.
/// Calls block: make them off the cooperative pool.
public protocol ReaderControlling {
    /// Sends a control command to the reader and returns its answer (`SCardControl`).
    func control(_ code: UInt32, _ input: [UInt8]) throws(PCSCError) -> [UInt8]
    /// The reader's part 10 features and their control codes; empty when it has none.
    func readerFeatures() -> [ReaderFeature: UInt32]
}

extension ReaderControlling {
    /// Asks `CM_IOCTL_GET_FEATURE_REQUEST` and parses the answer; a reader that refuses the
    /// request has no features.
    public func readerFeatures() -> [ReaderFeature: UInt32] {
        guard let answer = try? control(ReaderFeature.getFeatureRequestControlCode, []) else { return [:] }
        return ReaderFeature.parseFeatureList(answer)
    }
}

extension CardConnection: ReaderControlling {}
