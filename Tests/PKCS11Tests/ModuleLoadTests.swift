import CPKCS11
import Foundation
import Testing

@testable import PKCS11

@Suite struct ModuleLoadTests {
    @Test func aMissingFileIsFileNotFound() {
        #expect(throws: PKCS11ModuleLoadError.fileNotFound(path: "/nonexistent/libnothing.so")) {
            try PKCS11Module.load(path: "/nonexistent/libnothing.so")
        }
    }

    @Test func aTextFileIsRefusedByDlopen() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-module-\(UUID().uuidString).so")
        try "module: no\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = #expect(throws: PKCS11ModuleLoadError.self) {
            try PKCS11Module.load(path: file.path)
        }
        guard case .dlopenFailed(let path, let message) = error else {
            Issue.record("expected dlopenFailed, got \(String(describing: error))")
            return
        }
        #expect(path == file.path)
        #expect(message.contains(file.lastPathComponent))  // dlerror() names the file
    }

    @Test func aLibraryWithoutCGetFunctionListIsNotAModule() {
        let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
        #expect(throws: PKCS11ModuleLoadError.noGetFunctionList(path: libc)) {
            try PKCS11Module.load(path: libc)
        }
    }

    @Test func nullFunctionPointersAreErrorsNamingTheFunction() throws {
        let module = PKCS11Module(path: "/test/null-functions.so", functions: FunctionList(CK_FUNCTION_LIST()))
        try expectNotProvided("C_Initialize") { try module.initialize() }
        try expectNotProvided("C_Finalize") { try module.finalize() }
        try expectNotProvided("C_GetInfo") { _ = try module.info() }
        try expectNotProvided("C_GetSlotList") { _ = try module.slots() }
        try expectNotProvided("C_WaitForSlotEvent") { _ = try module.waitForSlotEvent(blocking: false) }
        let slot = Slot(module: module, id: 1)
        try expectNotProvided("C_GetSlotInfo") { _ = try slot.info() }
        try expectNotProvided("C_GetTokenInfo") { _ = try slot.tokenInfo() }
        try expectNotProvided("C_GetMechanismList") { _ = try slot.mechanisms() }
        try expectNotProvided("C_OpenSession") { _ = try slot.openSession() }
        let session = PKCS11Session(slot: slot, handle: 1, generation: module.generation)
        try expectNotProvided("C_Login") { try [UInt8]("1234".utf8).withUnsafeBytes { try session.login(pin: $0) } }
        try expectNotProvided("C_FindObjectsInit") { _ = try session.findObjects(class: .privateKey) }
        try expectNotProvided("C_GetAttributeValue") { _ = try session.attribute(.label, of: ObjectHandle(rawValue: 1)) }
        try expectNotProvided("C_SignInit") { _ = try session.sign([1, 2, 3], mechanism: .rsaPKCS, key: ObjectHandle(rawValue: 1)) }
        try expectNotProvided("C_CloseSession") { try session.close() }
    }

    @Test func aMissingCSignIsReportedBeforeAnOperationStarts() throws {
        var list = CK_FUNCTION_LIST()
        list.C_SignInit = { _, _, _ in CK_RV(CKR_OK) }  // C callbacks must not capture
        let module = PKCS11Module(path: "/test/no-sign.so", functions: FunctionList(list))
        let session = PKCS11Session(slot: Slot(module: module, id: 1), handle: 1, generation: module.generation)
        try expectNotProvided("C_Sign") { _ = try session.sign([1, 2, 3], mechanism: .rsaPKCS, key: ObjectHandle(rawValue: 1)) }
    }

    @Test func returnValuesOfAModuleBecomeTypedErrors() throws {
        var list = CK_FUNCTION_LIST()
        list.C_Initialize = { _ in CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED) }
        list.C_GetInfo = { _ in CK_RV(CKR_CRYPTOKI_NOT_INITIALIZED) }
        list.C_GetSlotList = { _, _, _ in CK_RV(CKR_DEVICE_ERROR) }
        let module = PKCS11Module(path: "/test/failing.so", functions: FunctionList(list))
        try module.initialize()  // already initialised is fine
        let error = #expect(throws: PKCS11Error(.cryptokiNotInitialized, function: "C_GetInfo")) { try module.info() }
        #expect(error?.function == "C_GetInfo")
        let slotsError = #expect(throws: PKCS11Error(.deviceError, function: "C_GetSlotList")) { try module.slots() }
        #expect(slotsError?.function == "C_GetSlotList")
    }

    private func expectNotProvided(_ function: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
        let error = #expect(throws: PKCS11Error.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == .functionNotProvided, sourceLocation: sourceLocation)
        #expect(error?.function == function, sourceLocation: sourceLocation)
    }
}
