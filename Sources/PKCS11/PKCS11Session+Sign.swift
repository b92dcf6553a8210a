import CPKCS11

extension PKCS11Session {
    /// Signs `data` with `key` (`C_SignInit`, then `C_Sign` asked for the length first).
    ///
    /// For a CPS card through OpenSC use `.rsaPKCS` over a DigestInfo you built
    /// (`DigestInfo.sha256(_:)`); `.sha256RSAPKCS` (the module hashes) where the token offers
    /// it. Both give the same PKCS#1 v1.5 signature. Mechanisms that need parameters (PSS)
    /// are not supported here, nor keys with `CKA_ALWAYS_AUTHENTICATE`.
    /// - Parameters:
    ///   - data: what to sign: a DigestInfo for `.rsaPKCS`, the message for `.sha256RSAPKCS`.
    ///   - mechanism: the signature mechanism.
    ///   - key: a private key found with `findObjects`.
    /// - Returns: the signature (the modulus length for RSA).
    /// - Throws: `PKCS11Error` naming `C_SignInit` (`.mechanismInvalid`,
    ///   `.keyHandleInvalid`, `.userNotLoggedIn`...) or `C_Sign` (`.dataLenRange`,
    ///   `.deviceRemoved`...).
    public func sign(_ data: [UInt8], mechanism: Mechanism, key: ObjectHandle) throws -> [UInt8] {
        let session = try handle(for: "C_SignInit")
        // Look both up first, so that a NULL C_Sign does not leave an operation active.
        _ = try functions.entry("C_SignInit", \.C_SignInit)
        _ = try functions.entry("C_Sign", \.C_Sign)
        var parameters = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.rawValue), pParameter: nil, ulParameterLen: 0)
        try functions.call("C_SignInit", \.C_SignInit) { $0(session, &parameters, CK_OBJECT_HANDLE(key.rawValue)) }
        return try data.withUnsafeBufferPointer { input in
            // C_Sign takes a non-const pointer but does not write through it.
            let bytes = UnsafeMutablePointer(mutating: input.baseAddress)
            let length = CK_ULONG(input.count)
            return try functions.array("C_Sign", \.C_Sign, of: CK_BYTE(0)) { sign, signature, signatureLength in
                sign(session, bytes, length, signature, signatureLength)
            }
        }
    }
}
