import CPKCS11

extension PKCS11Module {
    /// The module's slots (`C_GetSlotList`).
    ///
    /// - Parameter tokenPresent: only slots holding a token (a card in the reader).
    public func slots(tokenPresent: Bool = false) throws -> [Slot] {
        let flag = CK_BBOOL(tokenPresent ? CK_TRUE : CK_FALSE)
        let ids = try functions.array("C_GetSlotList", \.C_GetSlotList, of: CK_SLOT_ID(0)) { getSlotList, ids, count in
            getSlotList(flag, ids, count)
        }
        return ids.map { Slot(module: self, id: UInt($0)) }
    }

    /// The slots of the PC/SC reader called `readerName` (OpenSC describes a slot by its
    /// reader's name, cut to the 64 bytes of `slotDescription`; it may give one reader several
    /// slots, one per PIN).
    ///
    /// Calls `C_GetSlotList` and `C_GetSlotInfo`.
    public func slots(readerName: String, tokenPresent: Bool = false) throws -> [Slot] {
        try slots(tokenPresent: tokenPresent).filter { slot in
            try slot.info().matches(readerName: readerName)
        }
    }

    /// The first slot with a token labelled `label` (blank padding ignored), or nil.
    ///
    /// Calls `C_GetSlotList` and `C_GetTokenInfo`.
    public func slot(tokenLabel label: String) throws -> Slot? {
        for slot in try slots(tokenPresent: true) {
            do {
                if try slot.tokenInfo().label == label {
                    return slot
                }
            } catch let error as PKCS11Error where error.returnValue == .tokenNotPresent {
                continue  // removed since the listing
            }
        }
        return nil
    }

    /// Waits for a slot event (a token inserted or removed) with `C_WaitForSlotEvent`.
    ///
    /// - Parameter blocking: wait until an event; otherwise return at once
    ///   (`CKF_DONT_BLOCK`). A blocking wait ends with `.cryptokiNotInitialized` when another
    ///   thread calls `finalize()`.
    /// - Returns: the slot where something happened, or nil when nothing did (`CKR_NO_EVENT`).
    /// - Throws: `PKCS11Error`; `.functionNotSupported` from modules without events.
    public func waitForSlotEvent(blocking: Bool) throws -> Slot? {
        var id: CK_SLOT_ID = 0
        let flags = CK_FLAGS(blocking ? 0 : CKF_DONT_BLOCK)
        let code = try functions.returnValue("C_WaitForSlotEvent", \.C_WaitForSlotEvent) { wait in
            wait(flags, &id, nil)
        }
        switch code {
        case .ok:
            return Slot(module: self, id: UInt(id))
        case .noEvent:
            return nil
        default:
            throw PKCS11Error(code, function: "C_WaitForSlotEvent")
        }
    }
}
