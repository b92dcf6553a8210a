import PINEntry

extension CardProfile {
    /// CPS3 over contact (IAS-ECC): everything a login needs is known and tested against stock
    /// OpenSC 0.23 with the simulated card (docs/CARDS.md).
    public static let cps3 = CardProfile(
        kind: .cps3, name: "CPS3",
        // Reference 01 (global), 4 digits on issued cards (4 to 8 accepted), ASCII,
        // left-justified in an 8-byte block padded with FF, as the card's AODF describes it.
        userPIN: PINFormat(reference: 0x01, encoding: .ascii, minDigits: 4, maxDigits: 8, blockSize: 8, padding: 0xFF),
        certificateLabel: "CPS_CERT_AUT", keyLabel: "CPS_PRIV_AUT",
        triesLeft: .iasECCSecurityData(pinReference: 0x01),
        // Key 82 (local to the IAS application's DF 3F00/0001), algorithm 02: RSA PKCS#1 v1.5.
        directSignature: DirectSignature(applicationPath: [0x00, 0x01], keyReference: 0x82, algorithmReference: 0x02),
        moduleExpectation: "OpenSC 0.22 or later (iasecc driver) or ANS's Cryptolib CPS; with a PIN-pad reader, OpenSC reports a protected authentication path",
        unknowns: [])

    /// CPS3 read contactless: no PIN over contactless, so no login.
    public static let cps3Contactless = CardProfile(
        kind: .cps3Contactless, name: "CPS3 (contactless)", userPIN: nil,
        certificateLabel: "CPS_CERT_AUT", keyLabel: "CPS_PRIV_AUT", triesLeft: .tokenFlags, directSignature: nil,
        moduleExpectation: "none: insert the card in a contact reader",
        unknowns: [])

    /// CPS4 (NXP ChipDoc): only ANS's Cryptolib CPS 5.2 or later knows it. Its APDU-level
    /// facts are not public to us, so the daemon relies on the module alone: tries left from
    /// the token flags, the PIN pad only through the module's protected authentication path.
    public static let cps4 = CardProfile(
        kind: .cps4, name: "CPS4",
        // As the CPS3 by ANS's documentation for holders (4-digit PIN, 3 tries); the format a
        // PIN pad must build is not established.
        userPIN: PINFormat(reference: 0x01, encoding: .ascii, minDigits: 4, maxDigits: 8, blockSize: 8, padding: 0xFF),
        certificateLabel: "CPS_CERT_AUT", keyLabel: "CPS_PRIV_AUT",
        triesLeft: .tokenFlags, directSignature: nil,
        moduleExpectation: "ANS's Cryptolib CPS 5.2 or later (OpenSC does not know the CPS4)",
        unknowns: [
            "the PIN's reference and block format for a PIN pad's VERIFY (the direct pad path is off)",
            "whether the tries left can be read without spending one other than through the token flags",
            "the key reference and signature commands (signatures go through the module only)",
            "whether Cryptolib labels the objects CPS_CERT_AUT / CPS_PRIV_AUT (any certificate with a matching key is taken otherwise)",
        ])

    /// CPS2ter: retired, never used for a login.
    public static let cps2ter = CardProfile(
        kind: .cps2ter, name: "CPS2ter", userPIN: nil,
        certificateLabel: "CPS_CERT_AUT", keyLabel: "CPS_PRIV_AUT", triesLeft: .tokenFlags, directSignature: nil,
        moduleExpectation: "none: the card is no longer supported",
        unknowns: ["anything beyond its ATR: the card is refused before any command"])

    /// Not a CPx card.
    public static let unknown = CardProfile(
        kind: .unknown, name: "unknown card", userPIN: nil,
        certificateLabel: "CPS_CERT_AUT", keyLabel: "CPS_PRIV_AUT", triesLeft: .tokenFlags, directSignature: nil,
        moduleExpectation: "none", unknowns: [])
}
