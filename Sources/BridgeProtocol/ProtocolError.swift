/// A request the protocol refuses: a code (always `badRequest` when it comes from this
/// module), the precise reason, and the request's `id` when it could be read, so that a
/// WebSocket error answer still carries it.
///
/// Equal on the code and the reason (the `id` is context).
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var reason: Reason
    /// The `id` of the request, when it was readable before the error.
    public var id: String?

    public init(_ reason: Reason, code: ErrorCode = .badRequest, id: String? = nil) {
        self.code = code
        self.reason = reason
        self.id = id
    }

    /// What exactly is wrong, for the page's developer. Reasons never quote a PIN, and quote
    /// other values only when they are short and printable.
    public enum Reason: Hashable, Sendable, CustomStringConvertible {
        /// The message is larger than `ProtocolLimits.maxMessageBytes`.
        case messageTooLarge(limit: Int)
        /// The bytes are not JSON (or not UTF-8).
        case notJSON
        /// The JSON is not an object.
        case notAnObject
        /// A required field is absent (the field's path, e.g. `nonce`).
        case missingField(String)
        /// A field has the wrong JSON type; `expected` reads like "a string".
        case wrongType(field: String, expected: String)
        /// A field is `null` where a value is required.
        case nullField(String)
        /// `v` is not a version this module speaks.
        case unsupportedVersion(Int)
        /// `type` names no message of this version.
        case unknownType(String)
        /// A field has the right type but an unacceptable value.
        case invalidValue(field: String, why: String)

        public var description: String {
            switch self {
            case .messageTooLarge(let limit): "the message is larger than \(limit) bytes"
            case .notJSON: "the message is not valid JSON"
            case .notAnObject: "the message must be a JSON object"
            case .missingField(let field): "missing field \"\(field)\""
            case .wrongType(let field, let expected): "field \"\(field)\" must be \(expected)"
            case .nullField(let field): "field \"\(field)\" must not be null"
            case .unsupportedVersion(let v): "unsupported version \(v): this daemon speaks version \(ProtocolLimits.version)"
            case .unknownType(let type): "unknown message type \(Self.quoted(type))"
            case .invalidValue(let field, let why): "field \"\(field)\" \(why)"
            }
        }

        /// `"value"` when it is short printable ASCII, else a placeholder.
        static func quoted(_ value: String) -> String {
            let printable = value.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }
            return printable && value.count <= 32 ? "\"\(value)\"" : "(not shown)"
        }
    }

    public var description: String { "\(code.rawValue): \(reason)" }

    public static func == (lhs: ProtocolError, rhs: ProtocolError) -> Bool {
        lhs.code == rhs.code && lhs.reason == rhs.reason
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(reason)
    }
}
