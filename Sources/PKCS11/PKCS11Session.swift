import CPKCS11

/// A session with a token (`C_OpenSession` via `Slot.openSession(readWrite:)`), closed in
/// `deinit` if not before.
///
/// A session does one operation at a time (PKCS#11 rule): use it from one thread or actor at a
/// time. After `close()`, or after its module was finalised, every call throws
/// `.sessionHandleInvalid` naming the function without reaching the module, since the handle
/// number may by then belong to another session.
public final class PKCS11Session: @unchecked Sendable {
    // @unchecked: the module is initialised with CKF_OS_LOCKING_OK; the only mutable state
    // (closed) is behind a lock; operations are serialised by the caller as PKCS#11 requires.

    /// The slot the session was opened on.
    public let slot: Slot
    /// The module's `CK_SESSION_HANDLE`.
    let handle: UInt
    /// The module generation the handle belongs to (see `PKCS11Module.finalize()`).
    private let generation: UInt64
    private let closed = Locked(false)

    init(slot: Slot, handle: UInt, generation: UInt64) {
        self.slot = slot
        self.handle = handle
        self.generation = generation
    }

    deinit {
        try? close()
    }

    var functions: FunctionList {
        slot.module.functions
    }

    /// The handle to pass to `function`, or `.sessionHandleInvalid` when the session is closed
    /// or its module was finalised since it was opened.
    func handle(for function: String) throws -> CK_SESSION_HANDLE {
        let isOpen = closed.withLock { !$0 } && generation == slot.module.generation
        guard isOpen else {
            throw PKCS11Error(.sessionHandleInvalid, function: function)
        }
        return CK_SESSION_HANDLE(handle)
    }

    /// Closes the session (`C_CloseSession`); closing twice is not an error.
    public func close() throws {
        let wasOpen = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard wasOpen, generation == slot.module.generation else {
            return
        }
        let session = CK_SESSION_HANDLE(handle)
        try functions.call("C_CloseSession", \.C_CloseSession) { $0(session) }
    }

    /// Logs in (`C_Login`).
    ///
    /// The PIN is borrowed for the call only: it is never copied, stored or logged here.
    /// - Parameters:
    ///   - userType: `.user` for the card holder, `.securityOfficer`, or `.contextSpecific` to
    ///     re-authenticate for a key with `CKA_ALWAYS_AUTHENTICATE`.
    ///   - pin: the PIN's bytes, or nil when the token has a protected authentication path
    ///     (`TokenFlags.protectedAuthenticationPath`: the reader's PIN pad asks for it).
    /// - Throws: `PKCS11Error` naming `C_Login`: `.pinIncorrect`, `.pinLocked`,
    ///   `.userAlreadyLoggedIn`, `.pinLenRange`, `.tokenNotPresent`, `.deviceRemoved`...
    public func login(_ userType: UserType = .user, pin: UnsafeRawBufferPointer?) throws {
        let session = try handle(for: "C_Login")
        let bytes = pin?.baseAddress?.assumingMemoryBound(to: CK_UTF8CHAR.self)
        let length = CK_ULONG(pin?.count ?? 0)
        try functions.call("C_Login", \.C_Login) { login in
            // C_Login takes a non-const pointer but does not write through it.
            login(session, CK_USER_TYPE(userType.rawValue), UnsafeMutablePointer(mutating: bytes), length)
        }
    }

    /// Logs out (`C_Logout`): every session of the application on this token loses its login.
    public func logout() throws {
        let session = try handle(for: "C_Logout")
        try functions.call("C_Logout", \.C_Logout) { $0(session) }
    }

    /// The session's state: read-only or read-write, logged in or not (`C_GetSessionInfo`).
    public func info() throws -> SessionInfo {
        let session = try handle(for: "C_GetSessionInfo")
        var info = CK_SESSION_INFO()
        try functions.call("C_GetSessionInfo", \.C_GetSessionInfo) { $0(session, &info) }
        return SessionInfo(info)
    }
}

/// Who logs in (`CK_USER_TYPE`).
public struct UserType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }

    /// `CKU_SO`: the security officer.
    public static let securityOfficer = UserType(rawValue: UInt(CKU_SO))
    /// `CKU_USER`: the card holder.
    public static let user = UserType(rawValue: UInt(CKU_USER))
    /// `CKU_CONTEXT_SPECIFIC`: re-authentication for one operation.
    public static let contextSpecific = UserType(rawValue: UInt(CKU_CONTEXT_SPECIFIC))
}
