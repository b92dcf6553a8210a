import Crypto
import Foundation

/// The demo federator's identity tokens: compact JWS (JWT) signed ES256 with a key made at
/// start, as an OpenID provider signs its ID tokens. Demo only: the key lives in memory and
/// its public half is published at `/.well-known/jwks.json`.
public struct IdentityTokenSigner: Sendable {
    private let key: P256.Signing.PrivateKey
    /// The key's identifier (`kid`): the first 16 hex digits of SHA-256 of its public key.
    public let keyID: String

    public init(key: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) {
        self.key = key
        keyID = SHA256.hash(data: key.publicKey.x963Representation).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The JWT for `claims` (a JSON object).
    public func sign(claims: [String: Any]) throws -> String {
        let header: [String: Any] = ["alg": "ES256", "typ": "JWT", "kid": keyID]
        let headerPart = Base64URL.encode(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        let payloadPart = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes]))
        let signingInput = Data("\(headerPart).\(payloadPart)".utf8)
        let signature = try key.signature(for: signingInput)
        return "\(headerPart).\(payloadPart).\(Base64URL.encode(signature.rawRepresentation))"
    }

    /// The public key as a JSON Web Key Set.
    public var jwks: [String: Any] {
        let point = key.publicKey.x963Representation  // 04 || X || Y
        return ["keys": [[
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": keyID,
            "x": Base64URL.encode(point.dropFirst().prefix(32)),
            "y": Base64URL.encode(point.suffix(32)),
        ]]]
    }

    /// Whether `jwt` carries a valid signature of this key (for tests and the page's display).
    public func verify(_ jwt: String) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Base64URL.decode(String(parts[2])),
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: raw) else { return false }
        return key.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
    }
}

/// base64url without padding (RFC 7515 §2).
enum Base64URL {
    static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
