#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DoctorCommand {
    /// A Chromium-family browser and where its machine policies live.
    struct BrowserInstall {
        let name: String
        let policyDirectory: String
        let executables: [String]
    }

    static let browsers = [
        BrowserInstall(name: "Chromium", policyDirectory: "/etc/chromium/policies/managed",
                       executables: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"]),
        BrowserInstall(name: "Google Chrome", policyDirectory: "/etc/opt/chrome/policies/managed",
                       executables: ["/opt/google/chrome/chrome", "/usr/bin/google-chrome"]),
    ]

    /// The policies that let the allowed origins' pages reach 127.0.0.1 without Chrome's Local
    /// Network Access prompt (`LocalNetworkAccessAllowedForUrls`, `LoopbackNetworkAllowedForUrls`).
    /// A warning at most: a person can still answer the prompt.
    func browserCheck(origins: [String]) -> DoctorCheck {
        guard !origins.isEmpty else { return .skipped("browser", "no origin allowed yet") }
        let installed = Self.browsers.filter { $0.executables.contains { FileManager.default.isExecutableFile(atPath: path($0)) } }
        guard !installed.isEmpty else { return .skipped("browser", "neither Chromium nor Google Chrome is installed (Firefox asks nothing for 127.0.0.1)") }
        var missing: [(BrowserInstall, [String])] = []
        for browser in installed {
            let granted = Self.grantedOrigins(in: path(browser.policyDirectory))
            let notGranted = origins.filter { !granted.contains($0) }
            if !notGranted.isEmpty { missing.append((browser, notGranted)) }
        }
        guard let (browser, notGranted) = missing.first else {
            return .ok("browser", "\(installed.map(\.name).joined(separator: ", ")): the allowed origins are pre-granted local network access")
        }
        return .warning("browser", "\(browser.name) will ask each person whether \(notGranted.joined(separator: ", ")) may reach devices on the local network (Local Network Access); refusing blocks the login",
                        fix: "pre-grant it: sudo install -D -m 644 /usr/share/doc/cps-bridge/examples/chromium-policy.json \(browser.policyDirectory)/cps-bridge.json, with your origins in it (docs/INSTALL.md, \"Browsers\")")
    }

    /// The origins that the JSON policy files in `directory` grant local network access to.
    static func grantedOrigins(in directory: String) -> Set<String> {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var granted = Set<String>()
        for file in files where file.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(file)"),
                  let policies = try? JSONDecoder().decode(LocalNetworkPolicies.self, from: data) else { continue }
            for pattern in policies.patterns {
                granted.insert(pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern)
            }
        }
        return granted
    }
}

/// What doctor reads of a Chromium policy file: the URL patterns granted local network
/// access; any other policy, and a value of the wrong type, is ignored.
private struct LocalNetworkPolicies: Decodable {
    private enum Key: String, CodingKey {
        case LocalNetworkAccessAllowedForUrls, LoopbackNetworkAllowedForUrls
    }
    var patterns: [String] = []

    init(from decoder: any Decoder) throws {
        let policies = try decoder.container(keyedBy: Key.self)
        for key in [Key.LocalNetworkAccessAllowedForUrls, .LoopbackNetworkAllowedForUrls] {
            patterns += (try? policies.decodeIfPresent([String].self, forKey: key)) ?? []
        }
    }
}
