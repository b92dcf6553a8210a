/// A PKCS#11 module could not be loaded: each case is a different thing to tell a sysadmin.
public enum PKCS11ModuleLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// There is no file at `path`.
    case fileNotFound(path: String)
    /// `dlopen` refused the file; `message` is `dlerror()`'s text.
    case dlopenFailed(path: String, message: String)
    /// The library loaded but exports no `C_GetFunctionList`: it is not a PKCS#11 module.
    case noGetFunctionList(path: String)
    /// `C_GetFunctionList` returned `CKR_OK` but no list.
    case emptyFunctionList(path: String)

    /// The path the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let path), .dlopenFailed(let path, _), .noGetFunctionList(let path),
            .emptyFunctionList(let path):
            return path
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "PKCS#11 module \(path) does not exist"
        case .dlopenFailed(let path, let message):
            return "PKCS#11 module \(path) cannot be loaded: \(message)"
        case .noGetFunctionList(let path):
            return "\(path) is not a PKCS#11 module (no C_GetFunctionList symbol)"
        case .emptyFunctionList(let path):
            return "PKCS#11 module \(path) returned no function list from C_GetFunctionList"
        }
    }
}
