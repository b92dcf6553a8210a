import CPKCS11

/// A slot of a module: a reader for OpenSC, a token store for SoftHSM.
///
/// Slot IDs are the module's numbers (random for SoftHSM): find slots by reader name or token
/// label (`PKCS11Module.slots(readerName:)`, `PKCS11Module.slot(tokenLabel:)`).
public struct Slot: Hashable, Sendable, CustomStringConvertible {
    /// The module the slot belongs to.
    public let module: PKCS11Module
    /// The module's `CK_SLOT_ID`.
    public let id: UInt

    init(module: PKCS11Module, id: UInt) {
        self.module = module
        self.id = id
    }

    public static func == (lhs: Slot, rhs: Slot) -> Bool {
        lhs.module === rhs.module && lhs.id == rhs.id
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(module))
        hasher.combine(id)
    }

    public var description: String {
        "slot \(id) of \(module.path)"
    }

    /// The slot's description and flags (`C_GetSlotInfo`).
    public func info() throws -> SlotInfo {
        var info = CK_SLOT_INFO()
        try module.functions.call("C_GetSlotInfo", \.C_GetSlotInfo) { $0(CK_SLOT_ID(id), &info) }
        return SlotInfo(info)
    }

    /// The token in the slot: label, serial, PIN state flags (`C_GetTokenInfo`).
    ///
    /// - Throws: `PKCS11Error` with `.tokenNotPresent` when the slot is empty.
    public func tokenInfo() throws -> TokenInfo {
        var info = CK_TOKEN_INFO()
        try module.functions.call("C_GetTokenInfo", \.C_GetTokenInfo) { $0(CK_SLOT_ID(id), &info) }
        return TokenInfo(info)
    }

    /// The mechanisms the token offers (`C_GetMechanismList`).
    public func mechanisms() throws -> [Mechanism] {
        let slotID = CK_SLOT_ID(id)
        let types = try module.functions.array(
            "C_GetMechanismList", \.C_GetMechanismList, of: CK_MECHANISM_TYPE(0)
        ) { getMechanismList, types, count in
            getMechanismList(slotID, types, count)
        }
        return types.map { Mechanism(rawValue: UInt($0)) }
    }

    /// Key sizes and uses of one mechanism (`C_GetMechanismInfo`).
    ///
    /// - Throws: `PKCS11Error` with `.mechanismInvalid` when the token does not offer it.
    public func mechanismInfo(_ mechanism: Mechanism) throws -> MechanismInfo {
        var info = CK_MECHANISM_INFO()
        try module.functions.call("C_GetMechanismInfo", \.C_GetMechanismInfo) {
            $0(CK_SLOT_ID(id), CK_MECHANISM_TYPE(mechanism.rawValue), &info)
        }
        return MechanismInfo(info)
    }

    /// Opens a session with the token (`C_OpenSession`, always `CKF_SERIAL_SESSION`).
    ///
    /// The session closes itself when released; `close()` closes it earlier.
    /// - Parameter readWrite: adds `CKF_RW_SESSION` (needed to create objects or log the SO in).
    public func openSession(readWrite: Bool = false) throws -> PKCS11Session {
        let generation = module.generation
        var flags = CK_FLAGS(CKF_SERIAL_SESSION)
        if readWrite {
            flags |= CK_FLAGS(CKF_RW_SESSION)
        }
        var handle: CK_SESSION_HANDLE = 0
        try module.functions.call("C_OpenSession", \.C_OpenSession) {
            $0(CK_SLOT_ID(id), flags, nil, nil, &handle)
        }
        return PKCS11Session(slot: self, handle: UInt(handle), generation: generation)
    }
}
