/// The answer to `GET /v1/status`: `{"v":1,"readers":[...]}`.
public struct StatusBody: Codable, Hashable, Sendable {
    public var v: Int
    public var readers: [ReaderInfo]

    public init(readers: [ReaderInfo]) {
        v = ProtocolLimits.version
        self.readers = readers
    }
}
