import CPKCS11

// PKCS#11 info structures hold text in fixed-width, blank-padded UTF-8 byte arrays (C arrays
// import as tuples). Some modules NUL-terminate instead: stop at the first NUL as well.
extension String {
    /// Decodes a blank-padded `unsigned char[N]` field (imported as a tuple of `UInt8`).
    init<Field>(paddedField field: Field) {
        self = withUnsafeBytes(of: field) { bytes in
            var end = bytes.firstIndex(of: 0) ?? bytes.count
            while end > 0, bytes[end - 1] == 0x20 {
                end -= 1
            }
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }
}

/// A `CK_VERSION`: major and minor numbers (`2.40`, a library's `1.5`).
public struct PKCS11Version: Hashable, Sendable, CustomStringConvertible {
    public let major: UInt8
    public let minor: UInt8

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    init(_ version: CK_VERSION) {
        self.init(major: version.major, minor: version.minor)
    }

    /// `2.40`: the minor number is printed as is, as PKCS#11 tools do.
    public var description: String {
        "\(major).\(minor)"
    }
}
