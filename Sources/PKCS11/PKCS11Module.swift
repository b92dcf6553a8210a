import CPKCS11
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A loaded PKCS#11 module (`dlopen` + `C_GetFunctionList`), initialised for this process.
///
/// `C_Initialize` is per process, so modules live in a process-wide registry: loading the same
/// file twice (by any path that resolves to it) returns the same object. Modules are never
/// unloaded (`dlclose` under a module's own threads is not safe).
///
/// ```swift
/// let module = try PKCS11Module.load(path: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
/// let slot = try module.slots(readerName: "Test PCD 00 00").first
/// ```
public final class PKCS11Module: @unchecked Sendable {
    // @unchecked: the module is initialised with CKF_OS_LOCKING_OK, so its functions may be
    // called from any thread; our own mutable state (the generation) is behind a lock.

    /// The module's file, symlinks resolved (or the bare name `dlopen` searched for).
    public let path: String
    let functions: FunctionList

    /// Bumped by every `C_Finalize`: sessions opened in an older generation are dead, and
    /// their handle numbers may have been reused, so they never call the module again.
    private let lifecycle = Locked<UInt64>(0)

    /// A module over a function list; tests build one with NULL entries.
    init(path: String, functions: FunctionList) {
        self.path = path
        self.functions = functions
    }

    private static let registry = Locked<[String: PKCS11Module]>([:])

    /// Loads the module at `path` (once per process) and initialises it.
    ///
    /// Calls `dlopen`, `C_GetFunctionList`, then `initialize()`.
    /// - Parameter path: an absolute path, or a bare file name for `dlopen` to search.
    /// - Throws: `PKCS11ModuleLoadError` when the file is missing, does not load or is not a
    ///   PKCS#11 module; `PKCS11Error` when `C_GetFunctionList` or `C_Initialize` fails.
    public static func load(path: String) throws -> PKCS11Module {
        let resolved = try resolve(path)
        let module = try registry.withLock { modules in
            if let module = modules[resolved] {
                return module
            }
            let module = PKCS11Module(path: resolved, functions: try openLibrary(resolved))
            modules[resolved] = module
            return module
        }
        try module.initialize()
        return module
    }

    /// The key a file is registered under: its real path, so symlinks share one module.
    private static func resolve(_ path: String) throws -> String {
        guard path.contains("/") else {
            return path
        }
        guard let real = realpath(path, nil) else {
            throw PKCS11ModuleLoadError.fileNotFound(path: path)
        }
        defer { free(real) }
        return String(cString: real)
    }

    /// `dlopen` and `C_GetFunctionList`: the only calls made before there is a function list.
    private static func openLibrary(_ path: String) throws -> FunctionList {
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            if !path.contains("/") && message.contains("No such file") {
                throw PKCS11ModuleLoadError.fileNotFound(path: path)
            }
            throw PKCS11ModuleLoadError.dlopenFailed(path: path, message: message)
        }
        guard let symbol = dlsym(library, "C_GetFunctionList") else {
            dlclose(library)
            throw PKCS11ModuleLoadError.noGetFunctionList(path: path)
        }
        let getFunctionList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let code = PKCS11ReturnValue(getFunctionList(&list))
        guard code == .ok else {
            throw PKCS11Error(code, function: "C_GetFunctionList")
        }
        guard let list else {
            throw PKCS11ModuleLoadError.emptyFunctionList(path: path)
        }
        return FunctionList(list.pointee)
    }

    /// The current generation (see `lifecycle`).
    var generation: UInt64 {
        lifecycle.withLock { $0 }
    }

    /// Initialises the module for this process with OS locking (`C_Initialize` with
    /// `CKF_OS_LOCKING_OK` and no mutex callbacks). Already initialised is not an error.
    ///
    /// `load(path:)` calls it; call it again after `finalize()`.
    public func initialize() throws {
        try lifecycle.withLock { _ in
            var arguments = CK_C_INITIALIZE_ARGS()
            arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
            let code = try functions.returnValue("C_Initialize", \.C_Initialize) { initialize in
                withUnsafeMutablePointer(to: &arguments) { initialize($0) }
            }
            guard code == .ok || code == .cryptokiAlreadyInitialized else {
                throw PKCS11Error(code, function: "C_Initialize")
            }
        }
    }

    /// Finalises the module (`C_Finalize`): every session of this module becomes invalid.
    /// Not initialised is not an error.
    public func finalize() throws {
        try lifecycle.withLock { generation in
            generation += 1
            let code = try functions.returnValue("C_Finalize", \.C_Finalize) { $0(nil) }
            guard code == .ok || code == .cryptokiNotInitialized else {
                throw PKCS11Error(code, function: "C_Finalize")
            }
        }
    }

    /// `finalize()` then `initialize()`: how a module sees readers again after pcscd
    /// restarts, or tokens created by another process.
    public func reinitialize() throws {
        try finalize()
        try initialize()
    }

    /// The module's description of itself (`C_GetInfo`).
    public func info() throws -> ModuleInfo {
        var info = CK_INFO()
        try functions.call("C_GetInfo", \.C_GetInfo) { $0(&info) }
        return ModuleInfo(info)
    }
}

extension PKCS11Module: CustomStringConvertible {
    public var description: String {
        "PKCS11Module(\(path))"
    }
}
