import PINEntry
import SmartCard

/// What the daemon knows of one kind of CPx card, and relies on: how its user PIN is formatted
/// and verified, where its authentication key and certificate are, how its tries left are
/// read without spending one, and what the PKCS#11 module must offer for it.
///
/// One profile per `CardKind`; each row of the ATR table (`CardKindTable`) carries its card's
/// profile. Facts are in docs/CARDS.md, with where each comes from; `unknowns` lists what has
/// not been established for a kind, so that no code silently relies on it.
public struct CardProfile: Sendable, Hashable {
    /// The user PIN as the card checks it (VERIFY) and as a PIN pad must build it.
    public struct PINFormat: Sendable, Hashable {
        /// The PIN's reference in VERIFY (P2).
        public var reference: UInt8
        public var encoding: PINPadRequest.PINFormat
        public var minDigits: UInt8
        public var maxDigits: UInt8
        /// The PIN block in the VERIFY data, in bytes, left-justified.
        public var blockSize: UInt8
        /// The byte that fills the block after the digits.
        public var padding: UInt8

        /// The VERIFY a PIN pad fills: the block all padding.
        public var verifyTemplate: CommandAPDU {
            .verify(reference: reference, pin: [UInt8](repeating: padding, count: Int(blockSize)))
        }

        /// The PC/SC part 10 structure for this PIN (the timeout and display message are set
        /// by `PINPad.verifyOnPINPad`).
        public var pinPadRequest: PINPadRequest {
            PINPadRequest(timeoutSeconds: PINPadRequest.defaultTimeoutSeconds, format: encoding, pinBlockSize: blockSize,
                          minDigits: minDigits, maxDigits: maxDigits, apduTemplate: verifyTemplate)
        }
    }

    /// How the tries left are read without spending one.
    public enum TriesLeftSource: Sendable, Hashable {
        /// IAS-ECC: SELECT of the MF, then GET DATA of the PIN's security data object
        /// (`A0 { 9A max, 9B left }`), over our own PC/SC connection.
        case iasECCSecurityData(pinReference: UInt8)
        /// Only what the module's token flags say (low, final try, locked).
        case tokenFlags
    }

    /// The card's own commands for the authentication signature, used when the PIN was
    /// verified by the reader's PIN pad behind the module's back (the direct pad path,
    /// docs/PIN-ENTRY.md): SELECT of the key's DF, MSE SET of the authentication template,
    /// INTERNAL AUTHENTICATE with the DigestInfo (the card pads, PKCS#1 v1.5, and signs).
    public struct DirectSignature: Sendable, Hashable {
        /// The DF holding the key, as a path from the MF (without `3F00`).
        public var applicationPath: [UInt8]
        /// The key's reference in MSE SET (`84`).
        public var keyReference: UInt8
        /// The algorithm reference in MSE SET (`80`): RSA PKCS#1 v1.5 on a DigestInfo.
        public var algorithmReference: UInt8

        /// `00 A4 08 0C`: SELECT by path from the MF, no answer data.
        public var selectApplication: CommandAPDU {
            CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x08, p2: 0x0C, data: applicationPath)
        }

        /// `00 22 41 A4`: MSE SET, authentication template, key and algorithm.
        public var setSecurityEnvironment: CommandAPDU {
            CommandAPDU(cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xA4,
                        data: [0x84, 0x01, keyReference, 0x80, 0x01, algorithmReference])
        }

        /// `00 88 00 00`: INTERNAL AUTHENTICATE over `digestInfo`, the signature expected back.
        public func internalAuthenticate(_ digestInfo: [UInt8]) -> CommandAPDU {
            CommandAPDU(cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: digestInfo, ne: 256)
        }
    }

    public let kind: CardKind
    /// The card's name for people ("CPS3").
    public let name: String
    /// `nil` when no PIN can be entered this way (contactless, retired cards).
    public let userPIN: PINFormat?
    /// Labels of the authentication certificate and key, as the modules name them.
    public let certificateLabel: String
    public let keyLabel: String
    public let triesLeft: TriesLeftSource
    /// `nil` when the card's own signature commands are not known: the PIN pad then works only
    /// through a module that offers a protected authentication path.
    public let directSignature: DirectSignature?
    /// The DF of the card's PKCS#15 application, as a path from the MF (without `3F00`), when
    /// known: it holds the key and the directory files (ODF `5031`, the CDF) through which the
    /// holder is read without the module (`CardFileRead`). The same DF as the direct
    /// signature's.
    public var pkcs15ApplicationPath: [UInt8]? { directSignature?.applicationPath }
    /// What the PKCS#11 module must offer for this card, in words for a sysadmin.
    public let moduleExpectation: String
    /// What is not established for this card, and so not relied on.
    public let unknowns: [String]

    /// The profile of `kind`.
    public static func of(_ kind: CardKind) -> CardProfile {
        switch kind {
        case .cps3: .cps3
        case .cps3Contactless: .cps3Contactless
        case .cps4: .cps4
        case .cps2ter: .cps2ter
        case .unknown: .unknown
        }
    }
}

extension CardKind {
    /// This kind's profile.
    public var profile: CardProfile { CardProfile.of(self) }
}
