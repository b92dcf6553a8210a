import CPKCS11

/// A session's state (`CK_SESSION_INFO`, from `C_GetSessionInfo`).
public struct SessionInfo: Hashable, Sendable {
    /// `slotID`.
    public let slotID: UInt
    /// `state`.
    public let state: State
    /// `CKF_RW_SESSION` is set.
    public let isReadWrite: Bool
    /// `ulDeviceError`: a module-specific device error code, 0 when none.
    public let deviceError: UInt

    public init(slotID: UInt, state: State, isReadWrite: Bool, deviceError: UInt) {
        self.slotID = slotID
        self.state = state
        self.isReadWrite = isReadWrite
        self.deviceError = deviceError
    }

    init(_ info: CK_SESSION_INFO) {
        self.init(
            slotID: UInt(info.slotID),
            state: State(rawValue: UInt(info.state)),
            isReadWrite: info.flags & CK_FLAGS(CKF_RW_SESSION) != 0,
            deviceError: UInt(info.ulDeviceError)
        )
    }

    /// Whether a user or security officer is logged in.
    public var isLoggedIn: Bool {
        state == .readOnlyUser || state == .readWriteUser || state == .readWriteSecurityOfficer
    }

    /// A `CK_STATE`.
    public struct State: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt

        public init(rawValue: UInt) {
            self.rawValue = rawValue
        }

        /// `CKS_RO_PUBLIC_SESSION`
        public static let readOnlyPublic = State(rawValue: UInt(CKS_RO_PUBLIC_SESSION))
        /// `CKS_RO_USER_FUNCTIONS`
        public static let readOnlyUser = State(rawValue: UInt(CKS_RO_USER_FUNCTIONS))
        /// `CKS_RW_PUBLIC_SESSION`
        public static let readWritePublic = State(rawValue: UInt(CKS_RW_PUBLIC_SESSION))
        /// `CKS_RW_USER_FUNCTIONS`
        public static let readWriteUser = State(rawValue: UInt(CKS_RW_USER_FUNCTIONS))
        /// `CKS_RW_SO_FUNCTIONS`
        public static let readWriteSecurityOfficer = State(rawValue: UInt(CKS_RW_SO_FUNCTIONS))
    }
}
