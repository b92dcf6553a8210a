import Foundation
import Testing

@testable import PKCS11

/// Everything that drives SoftHSM2 runs in one serialised suite: making a token re-initialises
/// the module for the whole process (see `SoftHSM.makeToken`), which ends every session.
@Suite(.serialized, .needsSoftHSM)
struct SoftHSMTests {
    let softHSM = SoftHSM.shared

    @Test func moduleDescribesItself() throws {
        let info = try softHSM.module().info()
        #expect(info.manufacturer == "SoftHSM")
        #expect(info.libraryDescription == "Implementation of PKCS11")
        #expect(info.cryptokiVersion == PKCS11Version(major: 2, minor: 40))
        #expect(info.libraryVersion.major == 2)
    }

    @Test func theSameFileLoadsAsTheSameModule() throws {
        let module = try softHSM.module()
        #expect(try PKCS11Module.load(path: TestMachine.softHSMModule) === module)
        // The Debian path is a symlink to the multiarch one p11-kit registers.
        #expect(try PKCS11Module.load(path: "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so") === module)
        #expect(module.path == "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
    }

    @Test func tokensAreFoundByLabel() throws {
        let first = softHSM.uniqueLabel("listed-a")
        let second = softHSM.uniqueLabel("listed-b")
        let a = try softHSM.makeToken(label: first)
        let b = try softHSM.makeToken(label: second)
        #expect(a != b)
        let module = try softHSM.module()
        #expect(try module.slot(tokenLabel: first) == a)
        #expect(try module.slot(tokenLabel: second) == b)
        #expect(try module.slot(tokenLabel: "no such token") == nil)
        let withTokens = try module.slots(tokenPresent: true)
        #expect(withTokens.contains(a) && withTokens.contains(b))
        // SoftHSM always offers one more slot with an uninitialised token.
        #expect(try module.slots().count > withTokens.count - 1)
    }

    @Test func tokenAndSlotInfoDescribeAFreshToken() throws {
        let label = softHSM.uniqueLabel("info")
        let slot = try softHSM.makeToken(label: label)
        let token = try slot.tokenInfo()
        #expect(token.label == label)
        #expect(token.manufacturer == "SoftHSM project")
        #expect(token.model == "SoftHSM v2")
        #expect(!token.serialNumber.isEmpty)
        #expect(token.flags.isSuperset(of: [.tokenInitialized, .loginRequired, .userPinInitialized, .rng]))
        #expect(token.flags.isDisjoint(with: [.userPinLocked, .userPinFinalTry, .userPinCountLow, .protectedAuthenticationPath, .userPinToBeChanged]))
        #expect(token.minPinLength == 4)
        #expect(token.maxPinLength == 255)
        let info = try slot.info()
        #expect(info.flags.contains(.tokenPresent))
        #expect(info.description.hasPrefix("SoftHSM slot ID"))
    }

    @Test func mechanismsIncludeRSASignatures() throws {
        let slot = try softHSM.makeToken(label: softHSM.uniqueLabel("mechanisms"))
        let mechanisms = try slot.mechanisms()
        #expect(mechanisms.contains(.rsaPKCS))
        #expect(mechanisms.contains(.sha256RSAPKCS))
        let info = try slot.mechanismInfo(.rsaPKCS)
        #expect(info.flags.contains(.sign))
        #expect(info.minKeySize <= 2048 && info.maxKeySize >= 2048)
        let error = #expect(throws: PKCS11Error(.mechanismInvalid, function: "C_GetMechanismInfo")) {
            try slot.mechanismInfo(Mechanism(rawValue: 0x7fff_fff0))
        }
        #expect(error?.function == "C_GetMechanismInfo")
    }

    @Test func loginWithTheRightPINThenLogout() throws {
        let slot = try softHSM.makeToken(label: softHSM.uniqueLabel("login"))
        let session = try slot.openSession()
        #expect(try session.info().state == .readOnlyPublic)
        try login(session, pin: SoftHSM.userPIN)
        let info = try session.info()
        #expect(info.state == .readOnlyUser)
        #expect(info.isLoggedIn && !info.isReadWrite)
        #expect(info.slotID == slot.id)
        let again = #expect(throws: PKCS11Error(.userAlreadyLoggedIn, function: "C_Login")) {
            try login(session, pin: SoftHSM.userPIN)
        }
        #expect(again?.function == "C_Login")
        try session.logout()
        #expect(try session.info().isLoggedIn == false)
    }

    @Test func aWrongPINIsPinIncorrectFromCLogin() throws {
        let slot = try softHSM.makeToken(label: softHSM.uniqueLabel("wrong-pin"))
        let session = try slot.openSession()
        let error = #expect(throws: PKCS11Error.self) { try login(session, pin: "0000") }
        #expect(error?.returnValue == .pinIncorrect)
        #expect(error?.function == "C_Login")
        #expect(error?.description == "C_Login failed: CKR_PIN_INCORRECT (0xa0)")
        // SoftHSM keeps no PIN counter: no COUNT_LOW / FINAL_TRY / LOCKED flags to test here.
        #expect(try slot.tokenInfo().flags.contains(.userPinLocked) == false)
        try login(session, pin: SoftHSM.userPIN)
    }

    @Test func readWriteSessionsLetTheSecurityOfficerLogIn() throws {
        let slot = try softHSM.makeToken(label: softHSM.uniqueLabel("so"))
        let readOnly = try slot.openSession()
        let refused = #expect(throws: PKCS11Error(.sessionReadOnlyExists, function: "C_Login")) {
            try login(readOnly, as: .securityOfficer, pin: SoftHSM.soPIN)
        }
        #expect(refused?.function == "C_Login")
        try readOnly.close()
        let session = try slot.openSession(readWrite: true)
        try login(session, as: .securityOfficer, pin: SoftHSM.soPIN)
        #expect(try session.info().state == .readWriteSecurityOfficer)
    }

    @Test func aClosedSessionFailsWithoutReachingTheModule() throws {
        let slot = try softHSM.makeToken(label: softHSM.uniqueLabel("closed"))
        let session = try slot.openSession()
        try session.close()
        try session.close()  // closing twice is fine
        let error = #expect(throws: PKCS11Error(.sessionHandleInvalid, function: "C_Login")) {
            try login(session, pin: SoftHSM.userPIN)
        }
        #expect(error?.function == "C_Login")
    }

    @Test func reinitialisingEndsOldSessionsAndKeepsTheModuleUsable() throws {
        let label = softHSM.uniqueLabel("reinit")
        let slot = try softHSM.makeToken(label: label)
        let module = try softHSM.module()
        let old = try slot.openSession()
        try module.reinitialize()
        let error = #expect(throws: PKCS11Error(.sessionHandleInvalid, function: "C_GetSessionInfo")) { try old.info() }
        #expect(error?.function == "C_GetSessionInfo")
        let fresh = try #require(try module.slot(tokenLabel: label)).openSession()
        try login(fresh, pin: SoftHSM.userPIN)
        try module.finalize()
        let finalised = #expect(throws: PKCS11Error(.cryptokiNotInitialized, function: "C_GetInfo")) { try module.info() }
        #expect(finalised?.function == "C_GetInfo")
        #expect(try PKCS11Module.load(path: TestMachine.softHSMModule) === module)  // initialises again
        #expect(try module.info().manufacturer == "SoftHSM")
    }

    @Test func noSlotEventIsNil() throws {
        // SoftHSM has no removable tokens: a non-blocking wait answers CKR_NO_EVENT.
        #expect(try softHSM.module().waitForSlotEvent(blocking: false) == nil)
    }
}

/// Logs in with a PIN given as text, lending its bytes for the call only.
func login(_ session: PKCS11Session, as user: UserType = .user, pin: String) throws {
    var bytes = Array(pin.utf8)
    defer { for index in bytes.indices { bytes[index] = 0 } }
    try bytes.withUnsafeBytes { try session.login(user, pin: $0) }
}
