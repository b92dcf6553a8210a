/// What a token's signature covers, step by step (PROTOCOL.md, "How the token is signed"):
///
/// 1. `originHash = SHA-256(UTF-8 of the origin's serialisation)`, e.g. of
///    `https://auth.esw.esante.gouv.fr` (no trailing slash, default port left out);
/// 2. `nonceHash = SHA-256(UTF-8 of the nonce's base64 text)`: the text, not its decoding;
/// 3. `signedData = originHash || nonceHash` (64 bytes);
/// 4. `signature = RSASSA-PKCS1-v1_5-SIGN(key, SHA-256, signedData)`: RS256 hashes the 64
///    bytes once more, so a card that signs a DigestInfo is given
///    `DigestInfo(SHA-256, SHA-256(signedData))`.
///
/// Foundation has no SHA-256 and this module imports nothing else: callers pass their hash
/// (swift-crypto's `SHA256`, or the card layer's), or hash `signedDataParts` themselves.
extension AuthenticationToken {
    /// The two byte strings that are hashed: the origin's and the nonce's UTF-8.
    public static func signedDataParts(origin: Origin, nonce: Nonce) -> (origin: [UInt8], nonce: [UInt8]) {
        (Array(origin.serialization.utf8), Array(nonce.text.utf8))
    }

    /// The 64 bytes `SHA-256(origin) || SHA-256(nonce)` that RS256 signs.
    /// - Parameter sha256: SHA-256 of a byte string (32 bytes), e.g.
    ///   `{ Array(SHA256.hash(data: $0)) }` with swift-crypto.
    public static func signedData(origin: Origin, nonce: Nonce, sha256: ([UInt8]) -> [UInt8]) -> [UInt8] {
        let parts = signedDataParts(origin: origin, nonce: nonce)
        let originHash = sha256(parts.origin)
        let nonceHash = sha256(parts.nonce)
        precondition(originHash.count == 32 && nonceHash.count == 32, "sha256 must return 32 bytes")
        return originHash + nonceHash
    }
}
