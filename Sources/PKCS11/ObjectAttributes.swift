import CPKCS11

/// The attributes read from one object (`C_GetAttributeValue` via
/// `PKCS11Session.attributes(_:of:)`).
///
/// An attribute the module would not give says why: `.attributeSensitive` (a private key's
/// secret parts) or `.attributeTypeInvalid` (the object has no such attribute).
public struct ObjectAttributes: Hashable, Sendable {
    /// One attribute's outcome.
    public enum Value: Hashable, Sendable {
        /// The attribute's bytes.
        case bytes([UInt8])
        /// The module did not give it, with this code.
        case unavailable(PKCS11ReturnValue)
    }

    /// Every requested attribute's outcome.
    public let values: [AttributeType: Value]

    public init(values: [AttributeType: Value]) {
        self.values = values
    }

    /// The bytes of `type`, or nil when it was not read or not available.
    public subscript(type: AttributeType) -> [UInt8]? {
        if case .bytes(let bytes) = values[type] { return bytes }
        return nil
    }

    /// The bytes of `type`.
    ///
    /// - Throws: `PKCS11Error` naming `C_GetAttributeValue` with the module's code
    ///   (`.attributeSensitive`, `.attributeTypeInvalid`), or `.attributeTypeInvalid` when
    ///   `type` was not requested.
    public func bytes(_ type: AttributeType) throws -> [UInt8] {
        switch values[type] {
        case .bytes(let bytes):
            return bytes
        case .unavailable(let code):
            throw PKCS11Error(code, function: "C_GetAttributeValue")
        case nil:
            throw PKCS11Error(.attributeTypeInvalid, function: "C_GetAttributeValue")
        }
    }

    /// A `CK_BBOOL` attribute (`.sign`, `.token`...).
    public func bool(_ type: AttributeType) -> Bool? {
        guard let bytes = self[type], bytes.count == 1 else { return nil }
        return bytes[0] != 0
    }

    /// A `CK_ULONG` attribute (`.modulusBits`...).
    public func unsigned(_ type: AttributeType) -> UInt? {
        guard let bytes = self[type], bytes.count == MemoryLayout<CK_ULONG>.size else { return nil }
        return UInt(bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) })
    }

    /// `CKA_LABEL` as text.
    public var label: String? {
        self[.label].map { String(decoding: $0, as: UTF8.self) }
    }

    /// `CKA_ID`.
    public var id: [UInt8]? {
        self[.id]
    }

    /// `CKA_CLASS`.
    public var objectClass: ObjectClass? {
        unsigned(.objectClass).map(ObjectClass.init(rawValue:))
    }

    /// `CKA_KEY_TYPE`.
    public var keyType: KeyType? {
        unsigned(.keyType).map(KeyType.init(rawValue:))
    }

    /// `CKA_VALUE` (a certificate's DER).
    public var value: [UInt8]? {
        self[.value]
    }

    /// `CKA_MODULUS`.
    public var modulus: [UInt8]? {
        self[.modulus]
    }

    /// `CKA_PUBLIC_EXPONENT`.
    public var publicExponent: [UInt8]? {
        self[.publicExponent]
    }
}
