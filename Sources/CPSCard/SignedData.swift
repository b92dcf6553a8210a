import Crypto
import Foundation

/// What the card signs for a login, exactly as Web eID's authentication token v1 defines it:
/// SHA-256 of `SHA-256(origin) || SHA-256(nonce)`, where the origin is the browser's
/// serialisation (`https://host[:port]`, no trailing slash) and the nonce is hashed as its
/// literal base64 text in UTF-8, not decoded.
public enum SignedData {
    /// The 32-byte value the signature covers.
    public static func hash(origin: String, nonce: String) -> [UInt8] {
        let originHash = SHA256.hash(data: Data(origin.utf8))
        let nonceHash = SHA256.hash(data: Data(nonce.utf8))
        return Array(SHA256.hash(data: Data(originHash) + Data(nonceHash)))
    }

    /// The DER prefix of a SHA-256 DigestInfo (PKCS#1 v1.5, RFC 8017 section 9.2 note 1).
    public static let sha256DigestInfoPrefix: [UInt8] = [
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ]

    /// The DigestInfo a card signs with `CKM_RSA_PKCS` (OpenSC offers no hashing mechanism
    /// for the CPS3 authentication key).
    public static func digestInfo(origin: String, nonce: String) -> [UInt8] {
        sha256DigestInfoPrefix + hash(origin: origin, nonce: nonce)
    }
}
