import PKCS11
import Testing

@Suite struct ReturnValueTests {
    @Test(arguments: [
        (PKCS11ReturnValue.ok, "CKR_OK (0x0)"),
        (.pinIncorrect, "CKR_PIN_INCORRECT (0xa0)"),
        (.pinLocked, "CKR_PIN_LOCKED (0xa4)"),
        (.tokenNotPresent, "CKR_TOKEN_NOT_PRESENT (0xe0)"),
        (.deviceRemoved, "CKR_DEVICE_REMOVED (0x32)"),
        (.sessionHandleInvalid, "CKR_SESSION_HANDLE_INVALID (0xb3)"),
        (.mechanismInvalid, "CKR_MECHANISM_INVALID (0x70)"),
        (.userNotLoggedIn, "CKR_USER_NOT_LOGGED_IN (0x101)"),
        (.functionNotSupported, "CKR_FUNCTION_NOT_SUPPORTED (0x54)"),
        (.cryptokiNotInitialized, "CKR_CRYPTOKI_NOT_INITIALIZED (0x190)"),
        (.cryptokiAlreadyInitialized, "CKR_CRYPTOKI_ALREADY_INITIALIZED (0x191)"),
        (.attributeSensitive, "CKR_ATTRIBUTE_SENSITIVE (0x11)"),
        (.attributeTypeInvalid, "CKR_ATTRIBUTE_TYPE_INVALID (0x12)"),
        (.functionRejected, "CKR_FUNCTION_REJECTED (0x200)"),
        (PKCS11ReturnValue(rawValue: 0x8000_0012), "CKR_VENDOR_DEFINED+0x12 (0x80000012)"),
        (PKCS11ReturnValue(rawValue: 0x1234), "CKR_? (0x1234)"),
    ])
    func readsLikeTheCName(code: PKCS11ReturnValue, description: String) {
        #expect(code.description == description)
    }

    @Test func namesFollowTheSpecificationNumbers() {
        #expect(PKCS11ReturnValue.pinIncorrect.rawValue == 0xa0)
        #expect(PKCS11ReturnValue.userNotLoggedIn.rawValue == 0x101)
        #expect(PKCS11ReturnValue.pinIncorrect.name == "CKR_PIN_INCORRECT")
        #expect(PKCS11ReturnValue(rawValue: 0x8000_0001).isVendorDefined)
        #expect(PKCS11ReturnValue(rawValue: 0x8000_0001).name == nil)
    }

    @Test func errorsAreEqualOnTheirCodeAndNameTheirFunction() {
        let login = PKCS11Error(.pinIncorrect, function: "C_Login")
        #expect(login == PKCS11Error(.pinIncorrect, function: "C_Sign"))
        #expect(login != PKCS11Error(.pinLocked, function: "C_Login"))
        #expect(login.returnValue == .pinIncorrect)
        #expect(login.description == "C_Login failed: CKR_PIN_INCORRECT (0xa0)")
        let missing = PKCS11Error.functionNotProvided("C_Login")
        #expect(missing.returnValue == nil)
        #expect(missing.function == "C_Login")
        #expect(missing != PKCS11Error(.functionNotSupported, function: "C_Login"))
    }

    @Test func tokenFlagsPrintTheirCNames() {
        let flags: TokenFlags = [.loginRequired, .userPinFinalTry, TokenFlags(rawValue: 1 << 28)]
        #expect(flags.description == "[CKF_LOGIN_REQUIRED, CKF_USER_PIN_FINAL_TRY, 0x10000000]")
    }

    @Test func sha256DigestInfoIsThePrefixThenTheHash() {
        let digest = [UInt8](repeating: 0xab, count: 32)
        let info = DigestInfo.sha256(digest)
        #expect(info.count == 51)
        #expect(Array(info.prefix(19)) == [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
        ])
        #expect(Array(info.suffix(32)) == digest)
    }

    @Test func slotsMatchReaderNamesCutTo64Bytes() {
        let long = "Very Long Reader Name With A Serial Number 0123456789 ABCDEFGHIJ 00 00"
        let cut = String(long.utf8.prefix(64))!
        let info = SlotInfo(description: cut, manufacturer: "", flags: [], hardwareVersion: .init(major: 0, minor: 0), firmwareVersion: .init(major: 0, minor: 0))
        #expect(info.matches(readerName: long))
        #expect(!info.matches(readerName: "Test PCD 00 00"))
        let short = SlotInfo(description: "Test PCD 00 00", manufacturer: "", flags: [], hardwareVersion: .init(major: 0, minor: 0), firmwareVersion: .init(major: 0, minor: 0))
        #expect(short.matches(readerName: "Test PCD 00 00"))
        #expect(!short.matches(readerName: "Test PCD 00 01"))
    }
}
