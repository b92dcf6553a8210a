import CPKCS11

/// A `CK_RV`: the code every PKCS#11 function returns, as a readable value.
///
/// The standard codes have names (`.pinIncorrect` is `CKR_PIN_INCORRECT`, see
/// `PKCS11ReturnValue+Codes.swift`); vendor codes (`CKR_VENDOR_DEFINED` and above) keep their
/// number. `description` reads like `CKR_PIN_INCORRECT (0xa0)`.
public struct PKCS11ReturnValue: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `CK_RV` (a C `unsigned long`, 64-bit on LP64).
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    init(_ code: CK_RV) {
        self.rawValue = UInt(code)
    }

    /// The C spelling of the code (`CKR_PIN_INCORRECT`), or nil for a vendor or unknown code.
    public var name: String? {
        Self.names[self]
    }

    /// True for `CKR_VENDOR_DEFINED` (`0x80000000`) and above.
    public var isVendorDefined: Bool {
        rawValue >= 0x8000_0000
    }

    /// `CKR_PIN_INCORRECT (0xa0)`, `CKR_VENDOR_DEFINED+0x12 (0x80000012)`, `CKR_? (0x1234)`.
    public var description: String {
        let hex = "0x" + String(rawValue, radix: 16)
        if let name {
            return "\(name) (\(hex))"
        }
        if isVendorDefined {
            return "CKR_VENDOR_DEFINED+0x\(String(rawValue - 0x8000_0000, radix: 16)) (\(hex))"
        }
        return "CKR_? (\(hex))"
    }

    private static let names: [PKCS11ReturnValue: String] = [
        .ok: "CKR_OK",
        .cancel: "CKR_CANCEL",
        .hostMemory: "CKR_HOST_MEMORY",
        .slotIdInvalid: "CKR_SLOT_ID_INVALID",
        .generalError: "CKR_GENERAL_ERROR",
        .functionFailed: "CKR_FUNCTION_FAILED",
        .argumentsBad: "CKR_ARGUMENTS_BAD",
        .noEvent: "CKR_NO_EVENT",
        .needToCreateThreads: "CKR_NEED_TO_CREATE_THREADS",
        .cantLock: "CKR_CANT_LOCK",
        .attributeReadOnly: "CKR_ATTRIBUTE_READ_ONLY",
        .attributeSensitive: "CKR_ATTRIBUTE_SENSITIVE",
        .attributeTypeInvalid: "CKR_ATTRIBUTE_TYPE_INVALID",
        .attributeValueInvalid: "CKR_ATTRIBUTE_VALUE_INVALID",
        .actionProhibited: "CKR_ACTION_PROHIBITED",
        .dataInvalid: "CKR_DATA_INVALID",
        .dataLenRange: "CKR_DATA_LEN_RANGE",
        .deviceError: "CKR_DEVICE_ERROR",
        .deviceMemory: "CKR_DEVICE_MEMORY",
        .deviceRemoved: "CKR_DEVICE_REMOVED",
        .encryptedDataInvalid: "CKR_ENCRYPTED_DATA_INVALID",
        .encryptedDataLenRange: "CKR_ENCRYPTED_DATA_LEN_RANGE",
        .functionCanceled: "CKR_FUNCTION_CANCELED",
        .functionNotParallel: "CKR_FUNCTION_NOT_PARALLEL",
        .functionNotSupported: "CKR_FUNCTION_NOT_SUPPORTED",
        .keyHandleInvalid: "CKR_KEY_HANDLE_INVALID",
        .keySizeRange: "CKR_KEY_SIZE_RANGE",
        .keyTypeInconsistent: "CKR_KEY_TYPE_INCONSISTENT",
        .keyNotNeeded: "CKR_KEY_NOT_NEEDED",
        .keyChanged: "CKR_KEY_CHANGED",
        .keyNeeded: "CKR_KEY_NEEDED",
        .keyIndigestible: "CKR_KEY_INDIGESTIBLE",
        .keyFunctionNotPermitted: "CKR_KEY_FUNCTION_NOT_PERMITTED",
        .keyNotWrappable: "CKR_KEY_NOT_WRAPPABLE",
        .keyUnextractable: "CKR_KEY_UNEXTRACTABLE",
        .mechanismInvalid: "CKR_MECHANISM_INVALID",
        .mechanismParamInvalid: "CKR_MECHANISM_PARAM_INVALID",
        .objectHandleInvalid: "CKR_OBJECT_HANDLE_INVALID",
        .operationActive: "CKR_OPERATION_ACTIVE",
        .operationNotInitialized: "CKR_OPERATION_NOT_INITIALIZED",
        .pinIncorrect: "CKR_PIN_INCORRECT",
        .pinInvalid: "CKR_PIN_INVALID",
        .pinLenRange: "CKR_PIN_LEN_RANGE",
        .pinExpired: "CKR_PIN_EXPIRED",
        .pinLocked: "CKR_PIN_LOCKED",
        .sessionClosed: "CKR_SESSION_CLOSED",
        .sessionCount: "CKR_SESSION_COUNT",
        .sessionHandleInvalid: "CKR_SESSION_HANDLE_INVALID",
        .sessionParallelNotSupported: "CKR_SESSION_PARALLEL_NOT_SUPPORTED",
        .sessionReadOnly: "CKR_SESSION_READ_ONLY",
        .sessionExists: "CKR_SESSION_EXISTS",
        .sessionReadOnlyExists: "CKR_SESSION_READ_ONLY_EXISTS",
        .sessionReadWriteSoExists: "CKR_SESSION_READ_WRITE_SO_EXISTS",
        .signatureInvalid: "CKR_SIGNATURE_INVALID",
        .signatureLenRange: "CKR_SIGNATURE_LEN_RANGE",
        .templateIncomplete: "CKR_TEMPLATE_INCOMPLETE",
        .templateInconsistent: "CKR_TEMPLATE_INCONSISTENT",
        .tokenNotPresent: "CKR_TOKEN_NOT_PRESENT",
        .tokenNotRecognized: "CKR_TOKEN_NOT_RECOGNIZED",
        .tokenWriteProtected: "CKR_TOKEN_WRITE_PROTECTED",
        .unwrappingKeySizeRange: "CKR_UNWRAPPING_KEY_SIZE_RANGE",
        .unwrappingKeyTypeInconsistent: "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT",
        .userAlreadyLoggedIn: "CKR_USER_ALREADY_LOGGED_IN",
        .userNotLoggedIn: "CKR_USER_NOT_LOGGED_IN",
        .userPinNotInitialized: "CKR_USER_PIN_NOT_INITIALIZED",
        .userTypeInvalid: "CKR_USER_TYPE_INVALID",
        .userAnotherAlreadyLoggedIn: "CKR_USER_ANOTHER_ALREADY_LOGGED_IN",
        .userTooManyTypes: "CKR_USER_TOO_MANY_TYPES",
        .wrappedKeyInvalid: "CKR_WRAPPED_KEY_INVALID",
        .wrappedKeyLenRange: "CKR_WRAPPED_KEY_LEN_RANGE",
        .wrappingKeyHandleInvalid: "CKR_WRAPPING_KEY_HANDLE_INVALID",
        .wrappingKeySizeRange: "CKR_WRAPPING_KEY_SIZE_RANGE",
        .wrappingKeyTypeInconsistent: "CKR_WRAPPING_KEY_TYPE_INCONSISTENT",
        .randomSeedNotSupported: "CKR_RANDOM_SEED_NOT_SUPPORTED",
        .randomNoRNG: "CKR_RANDOM_NO_RNG",
        .domainParamsInvalid: "CKR_DOMAIN_PARAMS_INVALID",
        .curveNotSupported: "CKR_CURVE_NOT_SUPPORTED",
        .bufferTooSmall: "CKR_BUFFER_TOO_SMALL",
        .savedStateInvalid: "CKR_SAVED_STATE_INVALID",
        .informationSensitive: "CKR_INFORMATION_SENSITIVE",
        .stateUnsaveable: "CKR_STATE_UNSAVEABLE",
        .cryptokiNotInitialized: "CKR_CRYPTOKI_NOT_INITIALIZED",
        .cryptokiAlreadyInitialized: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
        .mutexBad: "CKR_MUTEX_BAD",
        .mutexNotLocked: "CKR_MUTEX_NOT_LOCKED",
        .newPinMode: "CKR_NEW_PIN_MODE",
        .nextOTP: "CKR_NEXT_OTP",
        .exceededMaxIterations: "CKR_EXCEEDED_MAX_ITERATIONS",
        .fipsSelfTestFailed: "CKR_FIPS_SELF_TEST_FAILED",
        .libraryLoadFailed: "CKR_LIBRARY_LOAD_FAILED",
        .pinTooWeak: "CKR_PIN_TOO_WEAK",
        .publicKeyInvalid: "CKR_PUBLIC_KEY_INVALID",
        .functionRejected: "CKR_FUNCTION_REJECTED",    ]
}
