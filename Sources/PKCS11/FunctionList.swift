import CPKCS11

/// A module's `CK_FUNCTION_LIST`, and the one way this library calls into it.
///
/// Every wrapper calls its C function through `call` or `returnValue`, giving the function's
/// name: a NULL entry becomes `PKCS11Error.functionNotProvided(name)` instead of a crash, and a
/// `CK_RV` other than `CKR_OK` becomes `PKCS11Error(code, function: name)`.
///
/// The list is copied from the module's static table, so a test can build one by hand with
/// NULL entries (`FunctionList(CK_FUNCTION_LIST())`).
struct FunctionList: @unchecked Sendable {
    // @unchecked: a table of C function pointers into a module that is never unloaded; the
    // module is initialised with CKF_OS_LOCKING_OK, so they may be called from any thread.
    let raw: CK_FUNCTION_LIST

    init(_ raw: CK_FUNCTION_LIST) {
        self.raw = raw
    }

    /// The Cryptoki version the list declares.
    var version: PKCS11Version {
        PKCS11Version(raw.version)
    }

    /// The entry for `name`, or `functionNotProvided(name)` when it is NULL.
    func entry<Function>(_ name: String, _ field: KeyPath<CK_FUNCTION_LIST, Function?>) throws -> Function {
        guard let function = raw[keyPath: field] else {
            throw PKCS11Error.functionNotProvided(name)
        }
        return function
    }

    /// Calls the entry for `name` and returns its code, for callers that accept more than
    /// `CKR_OK` (`C_Initialize`, `C_GetAttributeValue`, size queries, `C_WaitForSlotEvent`).
    func returnValue<Function>(
        _ name: String,
        _ field: KeyPath<CK_FUNCTION_LIST, Function?>,
        _ body: (Function) throws -> CK_RV
    ) throws -> PKCS11ReturnValue {
        let function = try entry(name, field)
        return PKCS11ReturnValue(try body(function))
    }

    /// Calls the entry for `name`, throwing `PKCS11Error(code, function: name)` unless it
    /// returns `CKR_OK`.
    func call<Function>(
        _ name: String,
        _ field: KeyPath<CK_FUNCTION_LIST, Function?>,
        _ body: (Function) throws -> CK_RV
    ) throws {
        let code = try returnValue(name, field, body)
        guard code == .ok else {
            throw PKCS11Error(code, function: name)
        }
    }

    /// Calls the entry for `name` the two-step PKCS#11 way: first with a NULL buffer to learn
    /// the length, then with a buffer of that length (again if the module answers
    /// `CKR_BUFFER_TOO_SMALL` because the result grew in between).
    ///
    /// - Parameter body: calls the function with the buffer (NULL for the size query) and a
    ///   pointer to the element count.
    func array<Function, Element>(
        _ name: String,
        _ field: KeyPath<CK_FUNCTION_LIST, Function?>,
        of zero: Element,
        _ body: (Function, UnsafeMutablePointer<Element>?, UnsafeMutablePointer<CK_ULONG>) -> CK_RV
    ) throws -> [Element] {
        let function = try entry(name, field)
        var count: CK_ULONG = 0
        var code = PKCS11ReturnValue(body(function, nil, &count))
        for _ in 0..<4 {
            guard code == .ok else {
                throw PKCS11Error(code, function: name)
            }
            var elements = [Element](repeating: zero, count: Int(count))
            code = elements.withUnsafeMutableBufferPointer { buffer in
                PKCS11ReturnValue(body(function, buffer.baseAddress, &count))
            }
            if code == .ok {
                return Array(elements.prefix(Int(count)))
            }
            if code == .bufferTooSmall {
                code = .ok
            }
        }
        throw PKCS11Error(code == .ok ? .bufferTooSmall : code, function: name)
    }
}
