#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PKCS11

/// Which PKCS#11 module talks to the cards, and loading it safely.
///
/// Choice, in order: the configured path; ANS's Cryptolib CPS where installed (it knows CPS3
/// and CPS4); OpenSC as registered with p11-kit (CPS3 contact only); OpenSC's usual path.
public enum CardModule {
    /// Where ANS's Cryptolib CPS installs its PKCS#11 module on Linux.
    public static let cryptolibPaths = [
        "/usr/lib64/pkcs11/libcps3_pkcs11_lux.so",
        "/usr/lib/pkcs11/libcps3_pkcs11_lux.so",
        "/usr/local/lib/libcps3_pkcs11_lux.so",
        "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so",
    ]
    public static let openSCPath = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

    /// The module to use: `configured`, else the first one found.
    /// - Throws: `CardModuleError.notFound` listing where it looked.
    public static func locate(configured: String?, registryDirectory: String = "/usr/share/p11-kit/modules") throws -> String {
        if let configured {
            guard FileManager.default.fileExists(atPath: configured) else { throw CardModuleError.notFound(searched: [configured]) }
            return configured
        }
        var searched = cryptolibPaths
        if let cryptolib = cryptolibPaths.first(where: FileManager.default.fileExists(atPath:)) { return cryptolib }
        let registered = PKCS11Module.registeredModules(registryDirectory: registryDirectory)
        if let cps = registered.first(where: { $0.path.contains("cps3") }) { return cps.path }
        if let openSC = registered.first(where: { $0.name.contains("opensc") && !$0.name.contains("onepin") }),
           FileManager.default.fileExists(atPath: openSC.path) {
            return openSC.path
        }
        searched += registered.map(\.path) + [openSCPath]
        if FileManager.default.fileExists(atPath: openSCPath) { return openSCPath }
        throw CardModuleError.notFound(searched: searched)
    }

    /// Loads `path`, after pointing OpenSC at a configuration of ours (whatever the module:
    /// OpenSC may be loaded under another name, or by a module that wraps it).
    ///
    /// Unless `OPENSC_CONF` is already set (then it is kept, with a warning when it lacks the
    /// settings below), the configuration is written in `runtimeDirectory`, a `PrivateDirectory`
    /// (0700, ours, no symbolic link), and `OPENSC_CONF` points at it.
    /// - Throws: `PrivateDirectoryError` when the directory is unsafe (nothing is loaded), or
    ///   the module's load error.
    public static func load(path: String, runtimeDirectory: String, logger: Logger,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PKCS11Module {
        try prepare(runtimeDirectory: runtimeDirectory, logger: logger, environment: environment)
        return try PKCS11Module.load(path: path)
    }

    /// `load`'s first half: points OpenSC at our configuration (or checks the user's), and
    /// loads nothing. `CardService` calls it on the calling thread, since `setenv` must not race
    /// another thread's `getenv`, and then loads the module on a thread of its own.
    /// - Throws: `PrivateDirectoryError` when the directory is unsafe.
    public static func prepare(runtimeDirectory: String, logger: Logger,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let existing = environment["OPENSC_CONF"], !existing.isEmpty {
            let text = (try? String(contentsOfFile: existing, encoding: .utf8)) ?? ""
            for setting in requiredSettings where !text.contains(setting) {
                logger.warning("OPENSC_CONF=\(existing) lacks '\(setting)' (\(settingPurpose[setting] ?? ""))")
            }
        } else {
            let directory = try PrivateDirectory(path: runtimeDirectory)
            let conf = try directory.write(openSCConfiguration, to: "opensc.conf")
            setenv("OPENSC_CONF", conf, 1)
        }
    }

    /// OpenSC settings for the daemon: no PIN kept in the process, no file cache on disk, and
    /// the card held for the logged-in session (`lock_login`: OpenSC keeps a PC/SC transaction
    /// from `C_Login` to `C_Logout`, so no other program's APDU reaches the verified card, and
    /// pcscd resets the card if the daemon dies holding it). `max_virtual_slots`: OpenSC 0.23
    /// makes 4 slots per reader up to 16 in all, so on a workstation with more than 4 readers
    /// (laptop docks, keyboards with a reader, virtual readers) some would get no slot at all.
    static let openSCConfiguration = """
    app default {
        framework pkcs15 {
            use_pin_caching = false;
            use_file_caching = false;
        }
        pkcs11 {
            lock_login = true;
            max_virtual_slots = 64;
        }
    }

    """

    /// What an `OPENSC_CONF` of the user's must say, and why.
    static let requiredSettings = ["use_pin_caching = false", "lock_login = true"]
    static let settingPurpose = [
        "use_pin_caching = false": "OpenSC would keep the PIN in the daemon's memory",
        "lock_login = true": "other programs could send commands to the card while it is verified",
    ]
}

/// Why no PKCS#11 module can be used.
public enum CardModuleError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(searched: [String])

    public var description: String {
        switch self {
        case .notFound(let searched):
            "no PKCS#11 module for CPS cards: install OpenSC (apt install opensc) or ANS's Cryptolib CPS, or set --pkcs11-module (looked in: \(searched.joined(separator: ", ")))"
        }
    }
}
