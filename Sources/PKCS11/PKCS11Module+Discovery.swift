#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SmartCard

/// A module registered with p11-kit: one `*.module` file of its registry.
public struct RegisteredModule: Hashable, Sendable {
    /// The registration's name: its file name without `.module` (`opensc-pkcs11`, `softhsm2`).
    public let name: String
    /// The module's path: the `module:` value, resolved against the module directory when
    /// relative.
    public let path: String
    /// The `*.module` file it comes from.
    public let registrationFile: String

    public init(name: String, path: String, registrationFile: String) {
        self.name = name
        self.path = path
        self.registrationFile = registrationFile
    }
}

extension PKCS11Module {
    /// Where packages register their modules for p11-kit.
    public static let defaultRegistryDirectory = "/usr/share/p11-kit/modules"
    /// Where p11-kit looks for a module named without a path (Debian, x86_64).
    public static let defaultModuleDirectory = "/usr/lib/x86_64-linux-gnu/pkcs11"

    /// The modules registered with p11-kit, sorted by name, without loading them.
    ///
    /// Reads each `*.module` file's `module:` line (`key: value` lines, `#` comments); files
    /// without one are skipped. `enable-in`/`disable-in` are not applied. A missing or
    /// unreadable directory gives no modules.
    /// - Parameters:
    ///   - registryDirectory: the directory of `*.module` files.
    ///   - moduleDirectory: where relative `module:` values are resolved.
    public static func registeredModules(
        registryDirectory: String = defaultRegistryDirectory,
        moduleDirectory: String = defaultModuleDirectory
    ) -> [RegisteredModule] {
        let directory = URL(fileURLWithPath: registryDirectory, isDirectory: true)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: registryDirectory) else {
            return []
        }
        return files.filter { $0.hasSuffix(".module") }.sorted().compactMap { file in
            let url = directory.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8),
                let value = moduleValue(in: text)
            else {
                return nil
            }
            let path = value.hasPrefix("/") ? value : URL(fileURLWithPath: moduleDirectory).appendingPathComponent(value).path
            return RegisteredModule(name: String(file.dropLast(".module".count)), path: path, registrationFile: url.path)
        }
    }

    /// The value of the `module:` line of a p11-kit module configuration.
    static func moduleValue(in configuration: String) -> String? {
        for line in configuration.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingWhitespace
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else {
                continue
            }
            let key = trimmed[..<colon].trimmingWhitespace
            let value = trimmed[trimmed.index(after: colon)...].trimmingWhitespace
            if key == "module", !value.isEmpty {
                return value
            }
        }
        return nil
    }
}
