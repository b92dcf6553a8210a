/// A PIN held as bytes: compared in constant time, never printed, zeroed when dropped.
public final class PINCode: Sendable, CustomStringConvertible {
    private nonisolated(unsafe) var bytes: [UInt8]

    /// A PIN made of ASCII digits (`"1234"` -> `31 32 33 34`).
    public init?(digits: String) {
        guard !digits.isEmpty, digits.count <= 16, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        bytes = Array(digits.utf8)
    }

    deinit {
        for i in bytes.indices { bytes[i] = 0 }
    }

    /// Whether `candidate` (as sent in VERIFY, possibly padded with `FF` to the stored length) is this PIN.
    public func matches(_ candidate: [UInt8]) -> Bool {
        var end = candidate.count
        while end > 0, candidate[end - 1] == 0xFF { end -= 1 }
        let trimmed = candidate[..<end]
        var difference = UInt8(trimmed.count == bytes.count ? 0 : 1)
        for (i, byte) in bytes.enumerated() {
            difference |= byte ^ (i < trimmed.count ? trimmed[trimmed.startIndex + i] : 0)
        }
        return difference == 0
    }

    public var description: String { "<redacted>" }
}
