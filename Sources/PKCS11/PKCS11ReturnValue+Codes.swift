import CPKCS11

// The standard return values of PKCS#11 2.40 (p11-kit's pkcs11.h), one per `CKR_` name.
extension PKCS11ReturnValue {
    /// `CKR_OK`
    public static let ok = PKCS11ReturnValue(CKR_OK)
    /// `CKR_CANCEL`
    public static let cancel = PKCS11ReturnValue(CKR_CANCEL)
    /// `CKR_HOST_MEMORY`
    public static let hostMemory = PKCS11ReturnValue(CKR_HOST_MEMORY)
    /// `CKR_SLOT_ID_INVALID`
    public static let slotIdInvalid = PKCS11ReturnValue(CKR_SLOT_ID_INVALID)
    /// `CKR_GENERAL_ERROR`
    public static let generalError = PKCS11ReturnValue(CKR_GENERAL_ERROR)
    /// `CKR_FUNCTION_FAILED`
    public static let functionFailed = PKCS11ReturnValue(CKR_FUNCTION_FAILED)
    /// `CKR_ARGUMENTS_BAD`
    public static let argumentsBad = PKCS11ReturnValue(CKR_ARGUMENTS_BAD)
    /// `CKR_NO_EVENT`
    public static let noEvent = PKCS11ReturnValue(CKR_NO_EVENT)
    /// `CKR_NEED_TO_CREATE_THREADS`
    public static let needToCreateThreads = PKCS11ReturnValue(CKR_NEED_TO_CREATE_THREADS)
    /// `CKR_CANT_LOCK`
    public static let cantLock = PKCS11ReturnValue(CKR_CANT_LOCK)
    /// `CKR_ATTRIBUTE_READ_ONLY`
    public static let attributeReadOnly = PKCS11ReturnValue(CKR_ATTRIBUTE_READ_ONLY)
    /// `CKR_ATTRIBUTE_SENSITIVE`
    public static let attributeSensitive = PKCS11ReturnValue(CKR_ATTRIBUTE_SENSITIVE)
    /// `CKR_ATTRIBUTE_TYPE_INVALID`
    public static let attributeTypeInvalid = PKCS11ReturnValue(CKR_ATTRIBUTE_TYPE_INVALID)
    /// `CKR_ATTRIBUTE_VALUE_INVALID`
    public static let attributeValueInvalid = PKCS11ReturnValue(CKR_ATTRIBUTE_VALUE_INVALID)
    /// `CKR_ACTION_PROHIBITED`
    public static let actionProhibited = PKCS11ReturnValue(CKR_ACTION_PROHIBITED)
    /// `CKR_DATA_INVALID`
    public static let dataInvalid = PKCS11ReturnValue(CKR_DATA_INVALID)
    /// `CKR_DATA_LEN_RANGE`
    public static let dataLenRange = PKCS11ReturnValue(CKR_DATA_LEN_RANGE)
    /// `CKR_DEVICE_ERROR`
    public static let deviceError = PKCS11ReturnValue(CKR_DEVICE_ERROR)
    /// `CKR_DEVICE_MEMORY`
    public static let deviceMemory = PKCS11ReturnValue(CKR_DEVICE_MEMORY)
    /// `CKR_DEVICE_REMOVED`
    public static let deviceRemoved = PKCS11ReturnValue(CKR_DEVICE_REMOVED)
    /// `CKR_ENCRYPTED_DATA_INVALID`
    public static let encryptedDataInvalid = PKCS11ReturnValue(CKR_ENCRYPTED_DATA_INVALID)
    /// `CKR_ENCRYPTED_DATA_LEN_RANGE`
    public static let encryptedDataLenRange = PKCS11ReturnValue(CKR_ENCRYPTED_DATA_LEN_RANGE)
    /// `CKR_FUNCTION_CANCELED`
    public static let functionCanceled = PKCS11ReturnValue(CKR_FUNCTION_CANCELED)
    /// `CKR_FUNCTION_NOT_PARALLEL`
    public static let functionNotParallel = PKCS11ReturnValue(CKR_FUNCTION_NOT_PARALLEL)
    /// `CKR_FUNCTION_NOT_SUPPORTED`
    public static let functionNotSupported = PKCS11ReturnValue(CKR_FUNCTION_NOT_SUPPORTED)
    /// `CKR_KEY_HANDLE_INVALID`
    public static let keyHandleInvalid = PKCS11ReturnValue(CKR_KEY_HANDLE_INVALID)
    /// `CKR_KEY_SIZE_RANGE`
    public static let keySizeRange = PKCS11ReturnValue(CKR_KEY_SIZE_RANGE)
    /// `CKR_KEY_TYPE_INCONSISTENT`
    public static let keyTypeInconsistent = PKCS11ReturnValue(CKR_KEY_TYPE_INCONSISTENT)
    /// `CKR_KEY_NOT_NEEDED`
    public static let keyNotNeeded = PKCS11ReturnValue(CKR_KEY_NOT_NEEDED)
    /// `CKR_KEY_CHANGED`
    public static let keyChanged = PKCS11ReturnValue(CKR_KEY_CHANGED)
    /// `CKR_KEY_NEEDED`
    public static let keyNeeded = PKCS11ReturnValue(CKR_KEY_NEEDED)
    /// `CKR_KEY_INDIGESTIBLE`
    public static let keyIndigestible = PKCS11ReturnValue(CKR_KEY_INDIGESTIBLE)
    /// `CKR_KEY_FUNCTION_NOT_PERMITTED`
    public static let keyFunctionNotPermitted = PKCS11ReturnValue(CKR_KEY_FUNCTION_NOT_PERMITTED)
    /// `CKR_KEY_NOT_WRAPPABLE`
    public static let keyNotWrappable = PKCS11ReturnValue(CKR_KEY_NOT_WRAPPABLE)
    /// `CKR_KEY_UNEXTRACTABLE`
    public static let keyUnextractable = PKCS11ReturnValue(CKR_KEY_UNEXTRACTABLE)
    /// `CKR_MECHANISM_INVALID`
    public static let mechanismInvalid = PKCS11ReturnValue(CKR_MECHANISM_INVALID)
    /// `CKR_MECHANISM_PARAM_INVALID`
    public static let mechanismParamInvalid = PKCS11ReturnValue(CKR_MECHANISM_PARAM_INVALID)
    /// `CKR_OBJECT_HANDLE_INVALID`
    public static let objectHandleInvalid = PKCS11ReturnValue(CKR_OBJECT_HANDLE_INVALID)
    /// `CKR_OPERATION_ACTIVE`
    public static let operationActive = PKCS11ReturnValue(CKR_OPERATION_ACTIVE)
    /// `CKR_OPERATION_NOT_INITIALIZED`
    public static let operationNotInitialized = PKCS11ReturnValue(CKR_OPERATION_NOT_INITIALIZED)
    /// `CKR_PIN_INCORRECT`
    public static let pinIncorrect = PKCS11ReturnValue(CKR_PIN_INCORRECT)
    /// `CKR_PIN_INVALID`
    public static let pinInvalid = PKCS11ReturnValue(CKR_PIN_INVALID)
    /// `CKR_PIN_LEN_RANGE`
    public static let pinLenRange = PKCS11ReturnValue(CKR_PIN_LEN_RANGE)
    /// `CKR_PIN_EXPIRED`
    public static let pinExpired = PKCS11ReturnValue(CKR_PIN_EXPIRED)
    /// `CKR_PIN_LOCKED`
    public static let pinLocked = PKCS11ReturnValue(CKR_PIN_LOCKED)
    /// `CKR_SESSION_CLOSED`
    public static let sessionClosed = PKCS11ReturnValue(CKR_SESSION_CLOSED)
    /// `CKR_SESSION_COUNT`
    public static let sessionCount = PKCS11ReturnValue(CKR_SESSION_COUNT)
    /// `CKR_SESSION_HANDLE_INVALID`
    public static let sessionHandleInvalid = PKCS11ReturnValue(CKR_SESSION_HANDLE_INVALID)
    /// `CKR_SESSION_PARALLEL_NOT_SUPPORTED`
    public static let sessionParallelNotSupported = PKCS11ReturnValue(CKR_SESSION_PARALLEL_NOT_SUPPORTED)
    /// `CKR_SESSION_READ_ONLY`
    public static let sessionReadOnly = PKCS11ReturnValue(CKR_SESSION_READ_ONLY)
    /// `CKR_SESSION_EXISTS`
    public static let sessionExists = PKCS11ReturnValue(CKR_SESSION_EXISTS)
    /// `CKR_SESSION_READ_ONLY_EXISTS`
    public static let sessionReadOnlyExists = PKCS11ReturnValue(CKR_SESSION_READ_ONLY_EXISTS)
    /// `CKR_SESSION_READ_WRITE_SO_EXISTS`
    public static let sessionReadWriteSoExists = PKCS11ReturnValue(CKR_SESSION_READ_WRITE_SO_EXISTS)
    /// `CKR_SIGNATURE_INVALID`
    public static let signatureInvalid = PKCS11ReturnValue(CKR_SIGNATURE_INVALID)
    /// `CKR_SIGNATURE_LEN_RANGE`
    public static let signatureLenRange = PKCS11ReturnValue(CKR_SIGNATURE_LEN_RANGE)
    /// `CKR_TEMPLATE_INCOMPLETE`
    public static let templateIncomplete = PKCS11ReturnValue(CKR_TEMPLATE_INCOMPLETE)
    /// `CKR_TEMPLATE_INCONSISTENT`
    public static let templateInconsistent = PKCS11ReturnValue(CKR_TEMPLATE_INCONSISTENT)
    /// `CKR_TOKEN_NOT_PRESENT`
    public static let tokenNotPresent = PKCS11ReturnValue(CKR_TOKEN_NOT_PRESENT)
    /// `CKR_TOKEN_NOT_RECOGNIZED`
    public static let tokenNotRecognized = PKCS11ReturnValue(CKR_TOKEN_NOT_RECOGNIZED)
    /// `CKR_TOKEN_WRITE_PROTECTED`
    public static let tokenWriteProtected = PKCS11ReturnValue(CKR_TOKEN_WRITE_PROTECTED)
    /// `CKR_UNWRAPPING_KEY_SIZE_RANGE`
    public static let unwrappingKeySizeRange = PKCS11ReturnValue(CKR_UNWRAPPING_KEY_SIZE_RANGE)
    /// `CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT`
    public static let unwrappingKeyTypeInconsistent = PKCS11ReturnValue(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)
    /// `CKR_USER_ALREADY_LOGGED_IN`
    public static let userAlreadyLoggedIn = PKCS11ReturnValue(CKR_USER_ALREADY_LOGGED_IN)
    /// `CKR_USER_NOT_LOGGED_IN`
    public static let userNotLoggedIn = PKCS11ReturnValue(CKR_USER_NOT_LOGGED_IN)
    /// `CKR_USER_PIN_NOT_INITIALIZED`
    public static let userPinNotInitialized = PKCS11ReturnValue(CKR_USER_PIN_NOT_INITIALIZED)
    /// `CKR_USER_TYPE_INVALID`
    public static let userTypeInvalid = PKCS11ReturnValue(CKR_USER_TYPE_INVALID)
    /// `CKR_USER_ANOTHER_ALREADY_LOGGED_IN`
    public static let userAnotherAlreadyLoggedIn = PKCS11ReturnValue(CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
    /// `CKR_USER_TOO_MANY_TYPES`
    public static let userTooManyTypes = PKCS11ReturnValue(CKR_USER_TOO_MANY_TYPES)
    /// `CKR_WRAPPED_KEY_INVALID`
    public static let wrappedKeyInvalid = PKCS11ReturnValue(CKR_WRAPPED_KEY_INVALID)
    /// `CKR_WRAPPED_KEY_LEN_RANGE`
    public static let wrappedKeyLenRange = PKCS11ReturnValue(CKR_WRAPPED_KEY_LEN_RANGE)
    /// `CKR_WRAPPING_KEY_HANDLE_INVALID`
    public static let wrappingKeyHandleInvalid = PKCS11ReturnValue(CKR_WRAPPING_KEY_HANDLE_INVALID)
    /// `CKR_WRAPPING_KEY_SIZE_RANGE`
    public static let wrappingKeySizeRange = PKCS11ReturnValue(CKR_WRAPPING_KEY_SIZE_RANGE)
    /// `CKR_WRAPPING_KEY_TYPE_INCONSISTENT`
    public static let wrappingKeyTypeInconsistent = PKCS11ReturnValue(CKR_WRAPPING_KEY_TYPE_INCONSISTENT)
    /// `CKR_RANDOM_SEED_NOT_SUPPORTED`
    public static let randomSeedNotSupported = PKCS11ReturnValue(CKR_RANDOM_SEED_NOT_SUPPORTED)
    /// `CKR_RANDOM_NO_RNG`
    public static let randomNoRNG = PKCS11ReturnValue(CKR_RANDOM_NO_RNG)
    /// `CKR_DOMAIN_PARAMS_INVALID`
    public static let domainParamsInvalid = PKCS11ReturnValue(CKR_DOMAIN_PARAMS_INVALID)
    /// `CKR_CURVE_NOT_SUPPORTED`
    public static let curveNotSupported = PKCS11ReturnValue(CKR_CURVE_NOT_SUPPORTED)
    /// `CKR_BUFFER_TOO_SMALL`
    public static let bufferTooSmall = PKCS11ReturnValue(CKR_BUFFER_TOO_SMALL)
    /// `CKR_SAVED_STATE_INVALID`
    public static let savedStateInvalid = PKCS11ReturnValue(CKR_SAVED_STATE_INVALID)
    /// `CKR_INFORMATION_SENSITIVE`
    public static let informationSensitive = PKCS11ReturnValue(CKR_INFORMATION_SENSITIVE)
    /// `CKR_STATE_UNSAVEABLE`
    public static let stateUnsaveable = PKCS11ReturnValue(CKR_STATE_UNSAVEABLE)
    /// `CKR_CRYPTOKI_NOT_INITIALIZED`
    public static let cryptokiNotInitialized = PKCS11ReturnValue(CKR_CRYPTOKI_NOT_INITIALIZED)
    /// `CKR_CRYPTOKI_ALREADY_INITIALIZED`
    public static let cryptokiAlreadyInitialized = PKCS11ReturnValue(CKR_CRYPTOKI_ALREADY_INITIALIZED)
    /// `CKR_MUTEX_BAD`
    public static let mutexBad = PKCS11ReturnValue(CKR_MUTEX_BAD)
    /// `CKR_MUTEX_NOT_LOCKED`
    public static let mutexNotLocked = PKCS11ReturnValue(CKR_MUTEX_NOT_LOCKED)
    /// `CKR_NEW_PIN_MODE`
    public static let newPinMode = PKCS11ReturnValue(CKR_NEW_PIN_MODE)
    /// `CKR_NEXT_OTP`
    public static let nextOTP = PKCS11ReturnValue(CKR_NEXT_OTP)
    /// `CKR_EXCEEDED_MAX_ITERATIONS`
    public static let exceededMaxIterations = PKCS11ReturnValue(CKR_EXCEEDED_MAX_ITERATIONS)
    /// `CKR_FIPS_SELF_TEST_FAILED`
    public static let fipsSelfTestFailed = PKCS11ReturnValue(CKR_FIPS_SELF_TEST_FAILED)
    /// `CKR_LIBRARY_LOAD_FAILED`
    public static let libraryLoadFailed = PKCS11ReturnValue(CKR_LIBRARY_LOAD_FAILED)
    /// `CKR_PIN_TOO_WEAK`
    public static let pinTooWeak = PKCS11ReturnValue(CKR_PIN_TOO_WEAK)
    /// `CKR_PUBLIC_KEY_INVALID`
    public static let publicKeyInvalid = PKCS11ReturnValue(CKR_PUBLIC_KEY_INVALID)
    /// `CKR_FUNCTION_REJECTED`
    public static let functionRejected = PKCS11ReturnValue(CKR_FUNCTION_REJECTED)
}
