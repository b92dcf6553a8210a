import CPKCS11

/// A `CK_ATTRIBUTE_TYPE`, with names for those this project reads or searches by.
public struct AttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    private init(_ type: CK_ATTRIBUTE_TYPE) {
        self.rawValue = UInt(type)
    }

    /// `CKA_CLASS` (an `ObjectClass`)
    public static let objectClass = AttributeType(CKA_CLASS)
    /// `CKA_TOKEN` (bool)
    public static let token = AttributeType(CKA_TOKEN)
    /// `CKA_PRIVATE` (bool)
    public static let isPrivate = AttributeType(CKA_PRIVATE)
    /// `CKA_LABEL` (UTF-8), e.g. `CPS_PRIV_AUT`, `CPS_CERT_AUT`
    public static let label = AttributeType(CKA_LABEL)
    /// `CKA_VALUE`: a certificate's DER
    public static let value = AttributeType(CKA_VALUE)
    /// `CKA_CERTIFICATE_TYPE`
    public static let certificateType = AttributeType(CKA_CERTIFICATE_TYPE)
    /// `CKA_ISSUER` (DER name)
    public static let issuer = AttributeType(CKA_ISSUER)
    /// `CKA_SERIAL_NUMBER` (DER integer)
    public static let serialNumber = AttributeType(CKA_SERIAL_NUMBER)
    /// `CKA_SUBJECT` (DER name)
    public static let subject = AttributeType(CKA_SUBJECT)
    /// `CKA_KEY_TYPE` (a `KeyType`)
    public static let keyType = AttributeType(CKA_KEY_TYPE)
    /// `CKA_ID`: links a key to its certificate
    public static let id = AttributeType(CKA_ID)
    /// `CKA_SENSITIVE` (bool)
    public static let sensitive = AttributeType(CKA_SENSITIVE)
    /// `CKA_DECRYPT` (bool)
    public static let decrypt = AttributeType(CKA_DECRYPT)
    /// `CKA_SIGN` (bool)
    public static let sign = AttributeType(CKA_SIGN)
    /// `CKA_VERIFY` (bool)
    public static let verify = AttributeType(CKA_VERIFY)
    /// `CKA_MODULUS` (big-endian unsigned)
    public static let modulus = AttributeType(CKA_MODULUS)
    /// `CKA_MODULUS_BITS` (unsigned long)
    public static let modulusBits = AttributeType(CKA_MODULUS_BITS)
    /// `CKA_PUBLIC_EXPONENT` (big-endian unsigned)
    public static let publicExponent = AttributeType(CKA_PUBLIC_EXPONENT)
    /// `CKA_EXTRACTABLE` (bool)
    public static let extractable = AttributeType(CKA_EXTRACTABLE)
    /// `CKA_EC_PARAMS` (DER)
    public static let ecParams = AttributeType(CKA_EC_PARAMS)
    /// `CKA_EC_POINT` (DER octet string)
    public static let ecPoint = AttributeType(CKA_EC_POINT)
    /// `CKA_ALWAYS_AUTHENTICATE` (bool): each use needs a `.contextSpecific` login
    public static let alwaysAuthenticate = AttributeType(CKA_ALWAYS_AUTHENTICATE)

    public var description: String {
        "CKA 0x" + String(rawValue, radix: 16)
    }
}

/// A `CK_OBJECT_CLASS`.
public struct ObjectClass: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    /// `CKO_DATA`
    public static let data = ObjectClass(rawValue: UInt(CKO_DATA))
    /// `CKO_CERTIFICATE`
    public static let certificate = ObjectClass(rawValue: UInt(CKO_CERTIFICATE))
    /// `CKO_PUBLIC_KEY`
    public static let publicKey = ObjectClass(rawValue: UInt(CKO_PUBLIC_KEY))
    /// `CKO_PRIVATE_KEY`
    public static let privateKey = ObjectClass(rawValue: UInt(CKO_PRIVATE_KEY))
    /// `CKO_SECRET_KEY`
    public static let secretKey = ObjectClass(rawValue: UInt(CKO_SECRET_KEY))
}

/// A `CK_KEY_TYPE`.
public struct KeyType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    /// `CKK_RSA`
    public static let rsa = KeyType(rawValue: UInt(CKK_RSA))
    /// `CKK_EC`
    public static let ec = KeyType(rawValue: UInt(CKK_EC))
}

/// One entry of a search template: an attribute type and the value to match, encoded as the
/// module expects it (`CK_ULONG` in native order, `CK_BBOOL` as one byte).
public struct Attribute: Hashable, Sendable {
    public let type: AttributeType
    public let value: [UInt8]

    public init(type: AttributeType, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    /// `CKA_CLASS` = `objectClass`.
    public static func objectClass(_ objectClass: ObjectClass) -> Attribute {
        .unsigned(.objectClass, objectClass.rawValue)
    }

    /// `CKA_LABEL` = the label's UTF-8.
    public static func label(_ label: String) -> Attribute {
        Attribute(type: .label, value: Array(label.utf8))
    }

    /// `CKA_ID` = `id`.
    public static func id(_ id: [UInt8]) -> Attribute {
        Attribute(type: .id, value: id)
    }

    /// `CKA_KEY_TYPE` = `keyType`.
    public static func keyType(_ keyType: KeyType) -> Attribute {
        .unsigned(.keyType, keyType.rawValue)
    }

    /// A `CK_BBOOL` attribute.
    public static func bool(_ type: AttributeType, _ value: Bool) -> Attribute {
        Attribute(type: type, value: [value ? UInt8(CK_TRUE) : UInt8(CK_FALSE)])
    }

    /// A `CK_ULONG` attribute.
    public static func unsigned(_ type: AttributeType, _ value: UInt) -> Attribute {
        Attribute(type: type, value: withUnsafeBytes(of: CK_ULONG(value)) { Array($0) })
    }
}
