import PINEntry
import CPSIdentity

/// A login asked of the card layer. The origin comes from the browser's `Origin` header,
/// never from the message body.
public struct AuthenticationRequest: Sendable {
    public var origin: String
    public var nonce: String
    public var reader: String?
    /// The PIN the page sent, if any (used only when `pagePINAllowed`).
    public var pin: SecretPIN?
    public var pagePINAllowed: Bool
    public var confirmFinalTry: Bool

    public init(origin: String, nonce: String, reader: String? = nil, pin: SecretPIN? = nil,
                pagePINAllowed: Bool = false, confirmFinalTry: Bool = false) {
        self.origin = origin
        self.nonce = nonce
        self.reader = reader
        self.pin = pin
        self.pagePINAllowed = pagePINAllowed
        self.confirmFinalTry = confirmFinalTry
    }
}

/// A completed login: the signature over the request's origin and nonce, and who signed.
public struct AuthenticationResult: Sendable {
    public var reader: String
    public var kind: CardKind
    /// PKCS#1 v1.5 signature (RS256) of SHA-256(SHA-256(origin) || SHA-256(nonce)).
    public var signature: [UInt8]
    public var certificateDER: [UInt8]
    public var holder: HolderIdentity
    /// How long the login's calls to the card stack took, summed (`CardClock`): PC/SC, the
    /// PKCS#11 module and the card (with a PIN pad, the holder's typing too). The rest of the
    /// login's time is the daemon's own (`Server-Timing`, PROTOCOL.md).
    public var cardTime: Duration = .zero
}
