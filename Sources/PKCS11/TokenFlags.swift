import CPKCS11

/// A token's `flags` (`CKF_LOGIN_REQUIRED`, `CKF_USER_PIN_LOCKED`, ...).
///
/// A card's user PIN goes `userPinCountLow` -> `userPinFinalTry` -> `userPinLocked` as wrong
/// PINs are presented (SoftHSM never sets these).
public struct TokenFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    /// `CKF_RNG`
    public static let rng = TokenFlags(rawValue: UInt(CKF_RNG))
    /// `CKF_WRITE_PROTECTED`
    public static let writeProtected = TokenFlags(rawValue: UInt(CKF_WRITE_PROTECTED))
    /// `CKF_LOGIN_REQUIRED`
    public static let loginRequired = TokenFlags(rawValue: UInt(CKF_LOGIN_REQUIRED))
    /// `CKF_USER_PIN_INITIALIZED`
    public static let userPinInitialized = TokenFlags(rawValue: UInt(CKF_USER_PIN_INITIALIZED))
    /// `CKF_RESTORE_KEY_NOT_NEEDED`
    public static let restoreKeyNotNeeded = TokenFlags(rawValue: UInt(CKF_RESTORE_KEY_NOT_NEEDED))
    /// `CKF_CLOCK_ON_TOKEN`
    public static let clockOnToken = TokenFlags(rawValue: UInt(CKF_CLOCK_ON_TOKEN))
    /// `CKF_PROTECTED_AUTHENTICATION_PATH`: the PIN is entered on the reader's PIN pad; log in
    /// with a nil PIN.
    public static let protectedAuthenticationPath = TokenFlags(rawValue: UInt(CKF_PROTECTED_AUTHENTICATION_PATH))
    /// `CKF_DUAL_CRYPTO_OPERATIONS`
    public static let dualCryptoOperations = TokenFlags(rawValue: UInt(CKF_DUAL_CRYPTO_OPERATIONS))
    /// `CKF_TOKEN_INITIALIZED`
    public static let tokenInitialized = TokenFlags(rawValue: UInt(CKF_TOKEN_INITIALIZED))
    /// `CKF_SECONDARY_AUTHENTICATION`
    public static let secondaryAuthentication = TokenFlags(rawValue: UInt(CKF_SECONDARY_AUTHENTICATION))
    /// `CKF_USER_PIN_COUNT_LOW`: a wrong user PIN was presented since the last good one.
    public static let userPinCountLow = TokenFlags(rawValue: UInt(CKF_USER_PIN_COUNT_LOW))
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong user PIN locks it.
    public static let userPinFinalTry = TokenFlags(rawValue: UInt(CKF_USER_PIN_FINAL_TRY))
    /// `CKF_USER_PIN_LOCKED`: the user PIN is blocked.
    public static let userPinLocked = TokenFlags(rawValue: UInt(CKF_USER_PIN_LOCKED))
    /// `CKF_USER_PIN_TO_BE_CHANGED`
    public static let userPinToBeChanged = TokenFlags(rawValue: UInt(CKF_USER_PIN_TO_BE_CHANGED))
    /// `CKF_SO_PIN_COUNT_LOW`
    public static let soPinCountLow = TokenFlags(rawValue: UInt(CKF_SO_PIN_COUNT_LOW))
    /// `CKF_SO_PIN_FINAL_TRY`
    public static let soPinFinalTry = TokenFlags(rawValue: UInt(CKF_SO_PIN_FINAL_TRY))
    /// `CKF_SO_PIN_LOCKED`
    public static let soPinLocked = TokenFlags(rawValue: UInt(CKF_SO_PIN_LOCKED))
    /// `CKF_SO_PIN_TO_BE_CHANGED`
    public static let soPinToBeChanged = TokenFlags(rawValue: UInt(CKF_SO_PIN_TO_BE_CHANGED))

    private static let names: [(TokenFlags, String)] = [
        (.rng, "CKF_RNG"), (.writeProtected, "CKF_WRITE_PROTECTED"),
        (.loginRequired, "CKF_LOGIN_REQUIRED"), (.userPinInitialized, "CKF_USER_PIN_INITIALIZED"),
        (.restoreKeyNotNeeded, "CKF_RESTORE_KEY_NOT_NEEDED"), (.clockOnToken, "CKF_CLOCK_ON_TOKEN"),
        (.protectedAuthenticationPath, "CKF_PROTECTED_AUTHENTICATION_PATH"),
        (.dualCryptoOperations, "CKF_DUAL_CRYPTO_OPERATIONS"),
        (.tokenInitialized, "CKF_TOKEN_INITIALIZED"),
        (.secondaryAuthentication, "CKF_SECONDARY_AUTHENTICATION"),
        (.userPinCountLow, "CKF_USER_PIN_COUNT_LOW"), (.userPinFinalTry, "CKF_USER_PIN_FINAL_TRY"),
        (.userPinLocked, "CKF_USER_PIN_LOCKED"), (.userPinToBeChanged, "CKF_USER_PIN_TO_BE_CHANGED"),
        (.soPinCountLow, "CKF_SO_PIN_COUNT_LOW"), (.soPinFinalTry, "CKF_SO_PIN_FINAL_TRY"),
        (.soPinLocked, "CKF_SO_PIN_LOCKED"), (.soPinToBeChanged, "CKF_SO_PIN_TO_BE_CHANGED"),
    ]

    /// The C names of the flags set, e.g. `[CKF_RNG, CKF_LOGIN_REQUIRED]`; unknown bits in hex.
    public var description: String {
        var names = Self.names.filter { contains($0.0) }.map(\.1)
        let known = Self.names.reduce(TokenFlags()) { $0.union($1.0) }
        let rest = subtracting(known).rawValue
        if rest != 0 {
            names.append("0x" + String(rest, radix: 16))
        }
        return "[" + names.joined(separator: ", ") + "]"
    }
}
