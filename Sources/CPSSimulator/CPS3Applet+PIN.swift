import SmartCard

/// VERIFY and the PIN's data objects.
extension CPS3Applet {
    /// VERIFY (`20`) of the user PIN.
    /// - No data (case 1, or with Le): the PIN state without spending a try: `90 00` verified,
    ///   `63 Cx` not verified with x tries left, `69 83` blocked.
    /// - With data: the PIN (ASCII digits, `FF`-padded or not). Right: `90 00` and the counter
    ///   back to its maximum. Wrong: `63 Cx` with one try less (`63 C0` on the last one). Blocked: `69 83`.
    /// - P1 `FF` with no data clears the verified state (ISO 7816-4 "reset").
    mutating func verify(_ command: CommandAPDU) -> (ResponseAPDU, CardEvent?) {
        guard command.p1 == 0x00 || command.p1 == 0xFF else { return (.status(.incorrectP1P2), nil) }
        guard command.p2 == profile.pinReference else { return (.status(.referencedDataNotFound), nil) }
        if command.p1 == 0xFF {
            guard command.data.isEmpty else { return (.status(.incorrectP1P2), nil) }
            state.pinVerified = false
            return (.ok(), nil)
        }
        if command.data.isEmpty {
            return (.status(pinStatus), nil)
        }
        guard command.data.count <= profile.pinStoredLength else { return (.status(.wrongLength), nil) }
        guard state.pinTriesLeft > 0 else { return (.status(.authenticationMethodBlocked), nil) }
        if pin.matches(command.data) {
            state.pinTriesLeft = profile.maxPINTries
            state.pinVerified = true
            return (.ok(), .pinVerified)
        }
        state.pinTriesLeft -= 1
        state.pinVerified = false
        return (.status(.verificationFailed(triesLeft: state.pinTriesLeft)), nil)
    }

    /// The answer to a VERIFY without data.
    var pinStatus: StatusWord {
        if state.pinTriesLeft == 0 { return .authenticationMethodBlocked }
        if state.pinVerified { return .success }
        return .verificationFailed(triesLeft: state.pinTriesLeft)
    }

    /// The PIN's descriptor (DOCP, `A0`): tries maximum (`9A`), tries left (`9B`) and its
    /// access rules (`A1 { 8C }`: CHANGE after user authentication, VERIFY always).
    /// With `pinCounterHidden`, the tries left are left out.
    var pinDescriptor: BERTLV {
        BERTLV(tag: 0xA0, children: [BERTLV(tag: 0x9A, value: [UInt8(profile.maxPINTries)])]
            + (pinCounterHidden ? [] : [BERTLV(tag: 0x9B, value: [UInt8(state.pinTriesLeft)])])
            + [BERTLV(tag: 0xA1, children: [BERTLV(tag: 0x8C, value: [0x60, 0x11, 0x00])])])
    }

    /// The PIN's public data (`7F41`): maximum (`80`) and minimum (`81`) length. OpenSC
    /// asks for the descriptor (`A0`) right after it, whatever this answer.
    var pinPublicData: BERTLV {
        BERTLV(tag: 0x7F41, children: [
            BERTLV(tag: 0x80, value: [UInt8(profile.pinStoredLength)]),
            BERTLV(tag: 0x81, value: [UInt8(profile.pinMinLength)]),
        ])
    }
}
