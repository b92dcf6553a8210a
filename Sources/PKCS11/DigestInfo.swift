/// PKCS#1 v1.5 DigestInfo encodings: what `CKM_RSA_PKCS` signs when the caller hashes
/// (RFC 8017, section 9.2, note 1).
public enum DigestInfo {
    /// DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }`
    /// without the hash: `30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20`.
    public static let sha256Prefix: [UInt8] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ]

    /// The DigestInfo of a SHA-256 hash: `sha256Prefix` followed by the 32 bytes (51 bytes).
    ///
    /// - Precondition: `digest` is 32 bytes long (a SHA-256 hash, not the message).
    public static func sha256(_ digest: some Collection<UInt8>) -> [UInt8] {
        precondition(digest.count == 32, "a SHA-256 digest is 32 bytes, got \(digest.count)")
        return sha256Prefix + digest
    }
}
