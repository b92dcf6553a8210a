/// The protocol version and the bounds every message is checked against (PROTOCOL.md,
/// "Limits"). A value past a bound is a `badRequest`, never truncated.
public enum ProtocolLimits {
    /// The only version this module speaks: `"v": 1` in every message.
    public static let version = 1
    /// The largest WebSocket message or HTTP body, in bytes.
    public static let maxMessageBytes = 16 * 1024
    /// The longest request `id`, in characters (printable ASCII).
    public static let maxIDLength = 64
    /// The longest reader name, in UTF-8 bytes (PC/SC names are far shorter).
    public static let maxReaderNameBytes = 256
    /// The shortest and longest nonce, in base64 characters (as Web eID's application).
    public static let nonceLength = 44...128
    /// The fewest bytes a nonce must decode to: 256 bits of entropy.
    public static let minNonceBytes = 32
    /// The PIN lengths a page may send, in ASCII digits.
    public static let pinLength = 4...12
}
