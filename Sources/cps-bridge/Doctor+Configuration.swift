import BridgeServer
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DoctorCommand {
    /// The configuration's validity, then its allowed origins; returns the configuration when
    /// it is usable (for the port and origin checks that follow).
    func configurationChecks(environment: [String: String]) -> ([DoctorCheck], ServeConfiguration?) {
        let file = config ?? environment["CPS_BRIDGE_CONFIG"] ?? path(Self.defaultConfigPath)
        let edit = "sudoedit \(file)"
        guard FileManager.default.fileExists(atPath: file) else {
            return ([.failed("configuration", "no configuration file at \(file)",
                             fix: "restore the package's one (sudo apt-get install --reinstall cps-bridge) or write it (docs/CONFIGURATION.md)"),
                     .skipped("origins", "no configuration")], nil)
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            return ([.failed("configuration", "\(file) cannot be read by this account", fix: "sudo chmod 644 \(file)"),
                     .skipped("origins", "no configuration")], nil)
        }
        do {
            let configuration = try ServeConfiguration.resolve(commandLine: .init(), environment: environment, file: text)
            let origins = configuration.origins.allowed.sorted()
            return ([.ok("configuration", "\(file) is valid"),
                     .ok("origins", "allowed: \(origins.joined(separator: ", "))")], configuration)
        } catch .noOrigin {
            // Valid but for the origins? Check the rest with a stand-in origin.
            do {
                let rest = try ServeConfiguration.resolve(commandLine: .init(allowOrigins: ["https://doctor.invalid"]), environment: environment, file: text)
                return ([.ok("configuration", "\(file) is valid"),
                         .failed("origins", "no origin is allowed: the daemon refuses to serve until a sysadmin allows the federator's login page",
                                 fix: "\(edit): add a line `allow-origin = https://<the login page's host>` per origin, then systemctl --user restart cps-bridge.service")],
                        rest.withoutOrigins)
            } catch {
                return ([Self.invalid(file, error, edit: edit), .skipped("origins", "the configuration is invalid")], nil)
            }
        } catch {
            return ([Self.invalid(file, error, edit: edit), .skipped("origins", "the configuration is invalid")], nil)
        }
    }

    static func invalid(_ file: String, _ error: ConfigurationError, edit: String) -> DoctorCheck {
        .failed("configuration", "the configuration is invalid (\(file) and CPS_BRIDGE_* variables): \(error)",
                fix: "\(edit): correct it (docs/CONFIGURATION.md lists every setting), then run cps-bridge doctor again")
    }
}

extension ServeConfiguration {
    /// The same settings, with the stand-in origin the doctor used dropped again.
    var withoutOrigins: ServeConfiguration? {
        var copy = self
        guard let empty = try? OriginPolicy(allowed: [], pagePINAllowed: [], allowInsecureOrigins: false) else { return nil }
        copy.origins = empty
        return copy
    }
}
