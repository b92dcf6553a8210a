import CPKCS11

/// A `CK_MECHANISM_TYPE`, with names for those this project meets.
///
/// A CPS3 through OpenSC offers `rsaPKCS` only: hash and build the DigestInfo yourself
/// (`DigestInfo.sha256(_:)`).
public struct Mechanism: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    private init(_ type: CK_MECHANISM_TYPE) {
        self.rawValue = UInt(type)
    }

    /// `CKM_RSA_PKCS_KEY_PAIR_GEN`
    public static let rsaPKCSKeyPairGen = Mechanism(CKM_RSA_PKCS_KEY_PAIR_GEN)
    /// `CKM_RSA_PKCS`: PKCS#1 v1.5 padding over data the caller supplies (a DigestInfo).
    public static let rsaPKCS = Mechanism(CKM_RSA_PKCS)
    /// `CKM_RSA_X_509`: raw RSA.
    public static let rsaX509 = Mechanism(CKM_RSA_X_509)
    /// `CKM_SHA1_RSA_PKCS`
    public static let sha1RSAPKCS = Mechanism(CKM_SHA1_RSA_PKCS)
    /// `CKM_SHA256_RSA_PKCS`: the module hashes, builds the DigestInfo and pads.
    public static let sha256RSAPKCS = Mechanism(CKM_SHA256_RSA_PKCS)
    /// `CKM_SHA384_RSA_PKCS`
    public static let sha384RSAPKCS = Mechanism(CKM_SHA384_RSA_PKCS)
    /// `CKM_SHA512_RSA_PKCS`
    public static let sha512RSAPKCS = Mechanism(CKM_SHA512_RSA_PKCS)
    /// `CKM_RSA_PKCS_PSS` (needs parameters this library does not pass yet).
    public static let rsaPKCSPSS = Mechanism(CKM_RSA_PKCS_PSS)
    /// `CKM_SHA256_RSA_PKCS_PSS` (needs parameters this library does not pass yet).
    public static let sha256RSAPKCSPSS = Mechanism(CKM_SHA256_RSA_PKCS_PSS)
    /// `CKM_SHA256`
    public static let sha256 = Mechanism(CKM_SHA256)
    /// `CKM_EC_KEY_PAIR_GEN`
    public static let ecKeyPairGen = Mechanism(CKM_EC_KEY_PAIR_GEN)
    /// `CKM_ECDSA`
    public static let ecdsa = Mechanism(CKM_ECDSA)
    /// `CKM_ECDSA_SHA256`
    public static let ecdsaSHA256 = Mechanism(CKM_ECDSA_SHA256)

    private static let names: [Mechanism: String] = [
        .rsaPKCSKeyPairGen: "CKM_RSA_PKCS_KEY_PAIR_GEN", .rsaPKCS: "CKM_RSA_PKCS",
        .rsaX509: "CKM_RSA_X_509", .sha1RSAPKCS: "CKM_SHA1_RSA_PKCS",
        .sha256RSAPKCS: "CKM_SHA256_RSA_PKCS", .sha384RSAPKCS: "CKM_SHA384_RSA_PKCS",
        .sha512RSAPKCS: "CKM_SHA512_RSA_PKCS", .rsaPKCSPSS: "CKM_RSA_PKCS_PSS",
        .sha256RSAPKCSPSS: "CKM_SHA256_RSA_PKCS_PSS", .sha256: "CKM_SHA256",
        .ecKeyPairGen: "CKM_EC_KEY_PAIR_GEN", .ecdsa: "CKM_ECDSA", .ecdsaSHA256: "CKM_ECDSA_SHA256",
    ]

    /// `CKM_RSA_PKCS (0x1)`, or `CKM_? (0x...)` for a mechanism without a name here.
    public var description: String {
        "\(Self.names[self] ?? "CKM_?") (0x\(String(rawValue, radix: 16)))"
    }
}

/// Key sizes and uses of a mechanism (`CK_MECHANISM_INFO`, from `C_GetMechanismInfo`).
public struct MechanismInfo: Hashable, Sendable {
    /// `ulMinKeySize` (bits for RSA).
    public let minKeySize: UInt
    /// `ulMaxKeySize` (bits for RSA).
    public let maxKeySize: UInt
    /// `flags`.
    public let flags: Flags

    public init(minKeySize: UInt, maxKeySize: UInt, flags: Flags) {
        self.minKeySize = minKeySize
        self.maxKeySize = maxKeySize
        self.flags = flags
    }

    init(_ info: CK_MECHANISM_INFO) {
        self.init(
            minKeySize: UInt(info.ulMinKeySize),
            maxKeySize: UInt(info.ulMaxKeySize),
            flags: Flags(rawValue: UInt(info.flags))
        )
    }

    /// What the mechanism can do (`CKF_SIGN`, ...).
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt

        public init(rawValue: UInt) {
            self.rawValue = rawValue
        }

        /// `CKF_HW`
        public static let hardware = Flags(rawValue: UInt(CKF_HW))
        /// `CKF_ENCRYPT`
        public static let encrypt = Flags(rawValue: UInt(CKF_ENCRYPT))
        /// `CKF_DECRYPT`
        public static let decrypt = Flags(rawValue: UInt(CKF_DECRYPT))
        /// `CKF_DIGEST`
        public static let digest = Flags(rawValue: UInt(CKF_DIGEST))
        /// `CKF_SIGN`
        public static let sign = Flags(rawValue: UInt(CKF_SIGN))
        /// `CKF_VERIFY`
        public static let verify = Flags(rawValue: UInt(CKF_VERIFY))
        /// `CKF_GENERATE_KEY_PAIR`
        public static let generateKeyPair = Flags(rawValue: UInt(CKF_GENERATE_KEY_PAIR))
    }
}
