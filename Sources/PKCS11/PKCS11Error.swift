/// A PKCS#11 function failed: the module returned a code other than `CKR_OK`, or its function
/// list has no entry for the function (a NULL pointer, which this library never calls).
///
/// Two errors are equal when their codes are equal, whichever function they came from, so
/// `error == PKCS11Error(.pinIncorrect, function: "C_Login")` tests the code only; read
/// `function` for the context.
public struct PKCS11Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Hashable, Sendable {
        /// The function returned this `CK_RV`.
        case returned(PKCS11ReturnValue)
        /// The module's function list has a NULL pointer for the function.
        case functionNotProvided
    }

    /// What went wrong.
    public let code: Code
    /// The C function that failed, e.g. `C_Login`.
    public let function: String

    /// The module returned `returnValue` from `function`.
    public init(_ returnValue: PKCS11ReturnValue, function: String) {
        self.code = .returned(returnValue)
        self.function = function
    }

    private init(code: Code, function: String) {
        self.code = code
        self.function = function
    }

    /// The module's function list has a NULL pointer for `function` (e.g. `C_Login`).
    public static func functionNotProvided(_ function: String) -> PKCS11Error {
        PKCS11Error(code: .functionNotProvided, function: function)
    }

    /// The `CK_RV` the function returned, or nil when it could not be called.
    public var returnValue: PKCS11ReturnValue? {
        if case .returned(let value) = code { return value }
        return nil
    }

    public var description: String {
        switch code {
        case .returned(let value):
            return "\(function) failed: \(value)"
        case .functionNotProvided:
            return "\(function) is not provided by the module (NULL in its function list)"
        }
    }

    public static func == (lhs: PKCS11Error, rhs: PKCS11Error) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }
}
