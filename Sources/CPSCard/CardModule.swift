import Foundation
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

    /// Loads `path`; for OpenSC, first makes sure its PIN cache is off for this process
    /// (docs/CARDS.md): unless `OPENSC_CONF` is already set, it points at a configuration of ours.
    public static func load(path: String, runtimeDirectory: String, logger: Logger) throws -> PKCS11Module {
        if path.contains("opensc") {
            if let existing = ProcessInfo.processInfo.environment["OPENSC_CONF"] {
                let text = (try? String(contentsOfFile: existing, encoding: .utf8)) ?? ""
                if !text.contains("use_pin_caching = false") {
                    logger.warning("OPENSC_CONF=\(existing) does not turn OpenSC's PIN cache off (use_pin_caching = false)")
                }
            } else {
                let conf = URL(fileURLWithPath: runtimeDirectory).appendingPathComponent("opensc.conf").path
                try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                try openSCConfiguration.write(toFile: conf, atomically: true, encoding: .utf8)
                setenv("OPENSC_CONF", conf, 1)
            }
        }
        return try PKCS11Module.load(path: path)
    }

    /// OpenSC settings for the daemon: no PIN kept in the process, no file cache on disk.
    static let openSCConfiguration = """
    app default {
        framework pkcs15 {
            use_pin_caching = false;
            use_file_caching = false;
        }
    }
    """
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
