import CPKCS11

/// A token's identity and state (`CK_TOKEN_INFO`, from `C_GetTokenInfo`).
///
/// Read it before asking for a PIN: `flags` says whether the PIN is locked or on its final
/// try, and whether the reader has a PIN pad (`protectedAuthenticationPath`).
public struct TokenInfo: Hashable, Sendable {
    /// `label`, e.g. `CPS (PIN CPS)` on OpenSC, the `--label` given to SoftHSM.
    public let label: String
    /// `manufacturerID`.
    public let manufacturer: String
    /// `model`, e.g. `PKCS#15 emulated`, `SoftHSM v2`.
    public let model: String
    /// `serialNumber` (16 characters at most).
    public let serialNumber: String
    /// PIN state and capabilities.
    public let flags: TokenFlags
    /// `ulMinPinLen`.
    public let minPinLength: UInt
    /// `ulMaxPinLen`.
    public let maxPinLength: UInt
    /// `ulSessionCount`, or nil when the module does not say (`CK_UNAVAILABLE_INFORMATION`).
    public let sessionCount: UInt?
    public let hardwareVersion: PKCS11Version
    public let firmwareVersion: PKCS11Version

    public init(
        label: String,
        manufacturer: String,
        model: String,
        serialNumber: String,
        flags: TokenFlags,
        minPinLength: UInt,
        maxPinLength: UInt,
        sessionCount: UInt?,
        hardwareVersion: PKCS11Version,
        firmwareVersion: PKCS11Version
    ) {
        self.label = label
        self.manufacturer = manufacturer
        self.model = model
        self.serialNumber = serialNumber
        self.flags = flags
        self.minPinLength = minPinLength
        self.maxPinLength = maxPinLength
        self.sessionCount = sessionCount
        self.hardwareVersion = hardwareVersion
        self.firmwareVersion = firmwareVersion
    }

    init(_ info: CK_TOKEN_INFO) {
        let unavailable = UInt.max  // CK_UNAVAILABLE_INFORMATION, ((unsigned long) -1)
        self.init(
            label: String(paddedField: info.label),
            manufacturer: String(paddedField: info.manufacturerID),
            model: String(paddedField: info.model),
            serialNumber: String(paddedField: info.serialNumber),
            flags: TokenFlags(rawValue: UInt(info.flags)),
            minPinLength: UInt(info.ulMinPinLen),
            maxPinLength: UInt(info.ulMaxPinLen),
            sessionCount: UInt(info.ulSessionCount) == unavailable ? nil : UInt(info.ulSessionCount),
            hardwareVersion: PKCS11Version(info.hardwareVersion),
            firmwareVersion: PKCS11Version(info.firmwareVersion)
        )
    }
}
