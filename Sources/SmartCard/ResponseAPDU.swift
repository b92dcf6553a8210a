/// A response APDU: data and the two status bytes.
public struct ResponseAPDU: Hashable, Sendable {
    public var data: [UInt8]
    public var status: StatusWord

    public init(data: [UInt8] = [], status: StatusWord) {
        self.data = data
        self.status = status
    }

    /// Parses wire bytes (at least SW1 SW2).
    public init(bytes: [UInt8]) throws(APDUFormatError) {
        guard bytes.count >= 2 else { throw .tooShort(bytes.count) }
        data = Array(bytes.dropLast(2))
        status = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }

    /// The wire bytes: data then SW1 SW2.
    public var bytes: [UInt8] { data + [status.sw1, status.sw2] }

    public static func status(_ status: StatusWord) -> ResponseAPDU { ResponseAPDU(status: status) }
    public static func ok(_ data: [UInt8] = []) -> ResponseAPDU { ResponseAPDU(data: data, status: .success) }
}

extension ResponseAPDU: CustomStringConvertible {
    public var description: String { bytes.hexString }
}
