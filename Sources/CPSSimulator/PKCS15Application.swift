import SmartCard

/// Builds the CPS3 card's files: EF.ATR, EF.SN.ICC, EF.DIR in the MF and, in the IAS
/// application DF, the PKCS#15 structures (ODF, TokenInfo, AODF, PrKDF, CDF) and the
/// authentication certificate.
public struct PKCS15Application: Sendable {
    public var profile: CardProfile
    /// The DER of `CPS_CERT_AUT`.
    public var certificate: [UInt8]
    /// The 20-digit card number (PAN) stored in EF.SN.ICC.
    public var cardNumber: String
    /// The token label (TokenInfo).
    public var tokenLabel: String
    /// The modulus length of the authentication key, in bits.
    public var modulusBits: Int

    public init(profile: CardProfile, certificate: [UInt8], cardNumber: String, tokenLabel: String, modulusBits: Int = 2048) {
        self.profile = profile
        self.certificate = certificate
        self.cardNumber = cardNumber
        self.tokenLabel = tokenLabel
        self.modulusBits = modulusBits
    }

    /// The complete file system.
    public func fileSystem() -> CardFileSystem {
        var fs = CardFileSystem()
        let app: CardPath = [profile.applicationFID]
        fs.add(.ef(profile.efATR, sfi: 0x1D, efATR))
        fs.add(.ef(profile.efDIR, sfi: 0x1E, efDIR))
        fs.add(.ef(profile.efSerial, sfi: profile.serialSFI, efSerial))
        fs.add(.df(profile.applicationFID, aid: profile.applicationAID))
        fs.add(.ef(profile.odfFID, odf), under: app)
        fs.add(.ef(profile.tokenInfoFID, tokenInfo), under: app)
        fs.add(.ef(profile.aodfFID, aodf), under: app)
        fs.add(.ef(profile.prkdfFID, prkdf), under: app)
        fs.add(.ef(profile.cdfFID, cdf), under: app)
        fs.add(.ef(profile.certificateFID, certificate), under: app)
        return fs
    }

    /// EF.ATR/INFO. Like real CPx cards it starts with a stray `80` (category indicator).
    /// `46`: pre-issuing data (manufacturer, IC type, OS version, IAS-ECC version);
    /// `E0`: IAS-ECC I/O buffer sizes as four `02 02 hi lo` (send, send SM, receive, receive SM).
    public var efATR: [UInt8] {
        let sizes: [UInt8] = [0x02, 0x02, 0x00, 0xFF, 0x02, 0x02, 0x00, 0xFF,
                              0x02, 0x02, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00]
        return [0x80]
            + DEREncoder.tagged(0x46, [0x80, 0x25, 0x03, 0x10, 0x01]) // pre-issuing data
            + DEREncoder.tagged(0x47, [0x00, 0x00, 0x00])             // card capabilities
            + DEREncoder.tagged(0xE0, sizes)
    }

    /// EF.SN.ICC: `5A 0A <PAN in BCD>`.
    public var efSerial: [UInt8] {
        DEREncoder.tagged(0x5A, bcd(cardNumber))
    }

    /// EF.DIR: one application template `61 { 4F AID, 50 label, 51 path }`.
    public var efDIR: [UInt8] {
        DEREncoder.tagged(0x61, DEREncoder.tagged(0x4F, profile.applicationAID)
            + DEREncoder.tagged(0x50, Array(profile.applicationLabel.utf8))
            + DEREncoder.tagged(0x51, [0x3F, 0x00] + profile.applicationFID.bigEndianBytes))
    }

    private var app: [UInt16] { [CardFileSystem.mfFID, profile.applicationFID] }

    /// ODF: `[8] PrKDF`, `[4] CDF`, `[8] AODF` as paths.
    public var odf: [UInt8] {
        DEREncoder.tagged(0xA0, DEREncoder.path(app + [profile.prkdfFID]))
            + DEREncoder.tagged(0xA4, DEREncoder.path(app + [profile.cdfFID]))
            + DEREncoder.tagged(0xA8, DEREncoder.path(app + [profile.aodfFID]))
    }

    /// TokenInfo, with the supported algorithms OpenSC needs to sign (`CKM_RSA_PKCS`,
    /// compute-signature, card algorithm reference `02`) and decipher (`0A`).
    public var tokenInfo: [UInt8] {
        let ckmRSAPKCS = 0x0001
        let sign = DEREncoder.sequence(DEREncoder.integer(1), DEREncoder.integer(ckmRSAPKCS), DEREncoder.null, DEREncoder.bits([1]),
                                DEREncoder.integer(Int(profile.signatureAlgorithmReference)))
        let decipher = DEREncoder.sequence(DEREncoder.integer(2), DEREncoder.integer(ckmRSAPKCS), DEREncoder.null, DEREncoder.bits([5]),
                                    DEREncoder.integer(Int(profile.decipherAlgorithmReference)))
        return DEREncoder.sequence(
            DEREncoder.integer(0),
            DEREncoder.octetString(Array(bcd(cardNumber).suffix(8))),  // last 16 digits of the card number
            DEREncoder.utf8String("CPS-BRIDGE TEST"),
            DEREncoder.tagged(0x80, Array(tokenLabel.utf8)),
            DEREncoder.bits([0, 2]),                                  // readOnly, prnGeneration
            DEREncoder.tagged(0xA2, sign + decipher)
        )
    }

    /// AODF: the user PIN, reference 01, ASCII digits padded with `FF` to the stored length.
    public var aodf: [UInt8] {
        let pinFlags = DEREncoder.bits([4, 5])                        // initialized, needs-padding
        let attributes = DEREncoder.sequence(
            pinFlags,
            DEREncoder.enumerated(1),                                 // ascii-numeric
            DEREncoder.integer(profile.pinMinLength),
            DEREncoder.integer(profile.pinStoredLength),
            DEREncoder.integer(profile.pinStoredLength),
            DEREncoder.integer(Int(profile.pinReference), tag: 0x80),
            DEREncoder.octetString([0xFF])
        )
        return DEREncoder.sequence(
            DEREncoder.sequence(DEREncoder.utf8String(profile.pinLabel), DEREncoder.bits([1])),   // modifiable
            DEREncoder.sequence(DEREncoder.octetString([profile.pinReference])),           // authId
            DEREncoder.tagged(0xA1, attributes)
        )
    }

    /// PrKDF: `CPS_PRIV_AUT`, RSA, sign + decrypt, key reference 0x82, PIN-protected.
    public var prkdf: [UInt8] {
        DEREncoder.sequence(
            DEREncoder.sequence(DEREncoder.utf8String(profile.keyLabel), DEREncoder.bits([0]), DEREncoder.octetString([profile.pinReference])),
            DEREncoder.sequence(
                DEREncoder.octetString(profile.authObjectID),
                DEREncoder.bits([1, 2]),                              // decrypt, sign
                DEREncoder.bits([0, 2, 3, 4]),                        // sensitive, alwaysSensitive, neverExtractable, local
                DEREncoder.integer(Int(profile.authKeyReference))
            ),
            DEREncoder.tagged(0xA1, DEREncoder.sequence(DEREncoder.path(app), DEREncoder.integer(modulusBits)))
        )
    }

    /// CDF: `CPS_CERT_AUT`, same iD as the key.
    public var cdf: [UInt8] {
        DEREncoder.sequence(
            DEREncoder.sequence(DEREncoder.utf8String(profile.certificateLabel)),
            DEREncoder.sequence(DEREncoder.octetString(profile.authObjectID)),
            DEREncoder.tagged(0xA1, DEREncoder.sequence(DEREncoder.path(app + [profile.certificateFID])))
        )
    }

    /// Packs decimal digits two per byte (an odd count is padded with `F`).
    private func bcd(_ digits: String) -> [UInt8] {
        var nibbles = digits.compactMap { $0.wholeNumberValue }.map(UInt8.init)
        if nibbles.count % 2 == 1 { nibbles.append(0x0F) }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }
}
