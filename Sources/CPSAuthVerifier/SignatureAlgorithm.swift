import Crypto
import _CryptoExtras
import X509

/// The JWA algorithms a token may name, and how each verifies.
enum SignatureAlgorithm: String {
    /// RSASSA-PKCS1-v1_5 with SHA-256: what CPS cards do.
    case rs256 = "RS256"
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (RFC 7518 3.5).
    case ps256 = "PS256"
    /// ECDSA P-256 with SHA-256, the signature as `r || s` (64 bytes, RFC 7518 3.4).
    case es256 = "ES256"

    /// Whether `signature` verifies over `data` with `key`; a key of the wrong type fails.
    func verifies(_ signature: [UInt8], over data: [UInt8], with key: Certificate.PublicKey) -> Bool {
        let digest = SHA256.hash(data: data)
        switch self {
        case .rs256, .ps256:
            guard let rsa = _RSA.Signing.PublicKey(key) else { return false }
            let value = _RSA.Signing.RSASignature(rawRepresentation: signature)
            return rsa.isValidSignature(value, for: digest, padding: self == .rs256 ? .insecurePKCS1v1_5 : .PSS)
        case .es256:
            guard let ec = P256.Signing.PublicKey(key),
                  let value = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return ec.isValidSignature(value, for: digest)
        }
    }
}
