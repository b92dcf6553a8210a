import CPCSCLite

extension CardConnection {
    /// Sends a control command to the reader (`SCardControl`) and returns its answer.
    public func control(_ code: UInt32, _ input: [UInt8] = []) throws(PCSCError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 1024)
        var length: DWORD = 0
        try pcsc("SCardControl") {
            input.withUnsafeBytes { inBytes in
                SCardControl(handle, DWORD(code), inBytes.baseAddress, DWORD(input.count),
                             &output, DWORD(output.count), &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }

    /// The reader's PC/SC part 10 features and their control codes; empty for a reader that
    /// has none or does not answer the feature request (virtual readers, most plain readers).
    public func readerFeatures() -> [ReaderFeature: UInt32] {
        guard let answer = try? control(ReaderFeature.getFeatureRequestControlCode) else { return [:] }
        return ReaderFeature.parseFeatureList(answer)
    }
}
