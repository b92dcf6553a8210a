import CPKCS11

/// A slot's description and state (`CK_SLOT_INFO`, from `C_GetSlotInfo`).
public struct SlotInfo: Hashable, Sendable {
    /// `slotDescription`: the PC/SC reader name for OpenSC (at most 64 bytes).
    public let description: String
    /// `manufacturerID`.
    public let manufacturer: String
    /// Token present, removable, hardware slot.
    public let flags: SlotFlags
    public let hardwareVersion: PKCS11Version
    public let firmwareVersion: PKCS11Version

    public init(
        description: String,
        manufacturer: String,
        flags: SlotFlags,
        hardwareVersion: PKCS11Version,
        firmwareVersion: PKCS11Version
    ) {
        self.description = description
        self.manufacturer = manufacturer
        self.flags = flags
        self.hardwareVersion = hardwareVersion
        self.firmwareVersion = firmwareVersion
    }

    init(_ info: CK_SLOT_INFO) {
        self.init(
            description: String(paddedField: info.slotDescription),
            manufacturer: String(paddedField: info.manufacturerID),
            flags: SlotFlags(rawValue: UInt(info.flags)),
            hardwareVersion: PKCS11Version(info.hardwareVersion),
            firmwareVersion: PKCS11Version(info.firmwareVersion)
        )
    }

    /// Whether this slot is the PC/SC reader `readerName`: the same name, or the name cut to
    /// the 64 bytes a slot description holds.
    public func matches(readerName: String) -> Bool {
        if description == readerName {
            return true
        }
        let bytes = Array(readerName.utf8)
        guard bytes.count > 64 else {
            return false
        }
        var cut = bytes.prefix(64)
        while cut.last == 0x20 {
            cut.removeLast()
        }
        return String(decoding: cut, as: UTF8.self) == description
    }
}

/// A slot's `flags` (`CKF_TOKEN_PRESENT`, ...).
public struct SlotFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    /// `CKF_TOKEN_PRESENT`: a token (card) is in the slot.
    public static let tokenPresent = SlotFlags(rawValue: UInt(CKF_TOKEN_PRESENT))
    /// `CKF_REMOVABLE_DEVICE`: the token can be removed (a card reader).
    public static let removableDevice = SlotFlags(rawValue: UInt(CKF_REMOVABLE_DEVICE))
    /// `CKF_HW_SLOT`: a hardware slot, not a software one.
    public static let hardwareSlot = SlotFlags(rawValue: UInt(CKF_HW_SLOT))
}
