import SmartCard

/// The constants that make the simulated card a CPS3 (contact, IAS-ECC 1.0.1): a row of
/// data, not code. docs/CARDS.md says where each value comes from.
public struct CardProfile: Sendable {
    /// Answer to reset (17 bytes, fits OpenSC's CPx mask).
    public var atr: [UInt8]
    /// AID of the IAS application in DF `3F00/0001`.
    public var applicationAID: [UInt8]
    /// File identifier of the application DF under the MF.
    public var applicationFID: UInt16
    /// EF.ATR/INFO under the MF.
    public var efATR: UInt16
    /// EF.DIR under the MF.
    public var efDIR: UInt16
    /// EF.SN.ICC under the MF and its short file identifier.
    public var efSerial: UInt16
    public var serialSFI: UInt8
    /// The first ten digits of the card number (PAN) in EF.SN.ICC.
    public var issuerPrefix: String
    /// Reference of the authentication key (`CPS_PRIV_AUT`), local bit included.
    public var authKeyReference: UInt8
    /// Reference of the user PIN (global, in the MF).
    public var pinReference: UInt8
    /// Tries of the user PIN when unblocked.
    public var maxPINTries: Int
    /// PIN length rules: shortest accepted, length stored on the card (padded with `FF`).
    public var pinMinLength: Int
    public var pinStoredLength: Int
    /// Algorithm reference of RSA PKCS#1 v1.5 signature in MSE SET (`80 01 02`).
    public var signatureAlgorithmReference: UInt8
    /// Algorithm reference of RSA PKCS#1 v1.5 decipherment in MSE SET (`80 01 0A`).
    public var decipherAlgorithmReference: UInt8
    /// The largest INTERNAL AUTHENTICATE input, as a share of the modulus length.
    public var maxSignatureInputRatio: Double
    /// PKCS#15 labels.
    public var keyLabel: String
    public var certificateLabel: String
    public var pinLabel: String
    public var applicationLabel: String
    /// Files of the PKCS#15 application (in the application DF).
    public var odfFID: UInt16
    public var tokenInfoFID: UInt16
    public var aodfFID: UInt16
    public var prkdfFID: UInt16
    public var cdfFID: UInt16
    public var certificateFID: UInt16

    /// The PKCS#15 iD shared by the key and its certificate: the AID followed by `02`,
    /// as some stacks report it for the authentication key.
    public var authObjectID: [UInt8] { applicationAID + [authKeyReference & 0x7F] }

    /// A CPS3 contact card as stock OpenSC 0.23 expects it.
    public static let cps3Contact = CardProfile(
        atr: [0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90, 0x00],
        applicationAID: [0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x10],
        applicationFID: 0x0001,
        efATR: 0x2F01,
        efDIR: 0x2F00,
        efSerial: 0xD003,
        serialSFI: 0x1C,
        issuerPrefix: "8025000001",
        authKeyReference: 0x82,
        pinReference: 0x01,
        maxPINTries: 3,
        pinMinLength: 4,
        pinStoredLength: 8,
        signatureAlgorithmReference: 0x02,
        decipherAlgorithmReference: 0x0A,
        maxSignatureInputRatio: 0.4,
        keyLabel: "CPS_PRIV_AUT",
        certificateLabel: "CPS_CERT_AUT",
        pinLabel: "PIN CPS",
        applicationLabel: "CPS",
        odfFID: 0x5031,
        tokenInfoFID: 0x5032,
        aodfFID: 0x7001,
        prkdfFID: 0x7002,
        cdfFID: 0x7004,
        certificateFID: 0x7010
    )
}
