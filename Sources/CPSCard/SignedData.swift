import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PKCS11

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

    /// The DigestInfo a card signs with `CKM_RSA_PKCS` (OpenSC offers no hashing mechanism
    /// for the CPS3 authentication key).
    public static func digestInfo(origin: String, nonce: String) -> [UInt8] {
        DigestInfo.sha256(hash(origin: origin, nonce: nonce))
    }
}
