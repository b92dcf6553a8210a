import Foundation

/// The demo page and the login-page client, read from the project's `web/` folder.
///
/// Found, in order: `--web-root`, `CPS_BRIDGE_WEB_ROOT`, a `web/` folder beside or above the
/// executable (a `swift build` leaves it in `.build/<triple>/debug/` under the checkout),
/// `/usr/share/cps-bridge/web`, `./web`. Files are read on each request, so an edited page
/// shows on reload.
public struct WebAssets: Sendable {
    public let root: URL

    /// What `GET <path>` serves: the path's file under `root`, and its media type.
    static let files: [String: (file: String, type: String)] = [
        "/": ("demo/index.html", "text/html; charset=utf-8"),
        "/index.html": ("demo/index.html", "text/html; charset=utf-8"),
        "/demo.js": ("demo/demo.js", "text/javascript; charset=utf-8"),
        "/demo.css": ("demo/demo.css", "text/css; charset=utf-8"),
        "/cps-bridge.js": ("cps-bridge.js", "text/javascript; charset=utf-8"),
        "/cps-bridge.d.ts": ("cps-bridge.d.ts", "text/plain; charset=utf-8"),
    ]

    public init(root: URL) throws(DemoError) {
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("cps-bridge.js").path),
              FileManager.default.fileExists(atPath: root.appendingPathComponent("demo/index.html").path) else {
            throw DemoError("\(root.path) is not the web folder (it needs cps-bridge.js and demo/index.html)")
        }
        self.root = root
    }

    /// The web folder, searched as described above.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(DemoError) -> WebAssets {
        if let path = explicit ?? environment["CPS_BRIDGE_WEB_ROOT"] {
            return try WebAssets(root: URL(fileURLWithPath: path))
        }
        var candidates: [URL] = []
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("web"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/cps-bridge/web"))
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("web"))
        for candidate in candidates {
            if let assets = try? WebAssets(root: candidate) { return assets }
        }
        throw DemoError("cannot find the web folder (cps-bridge.js, demo/index.html): looked in \(candidates.map(\.path).joined(separator: ", ")); pass --web-root")
    }

    /// The bytes and media type served for `path`, or nil.
    func file(for path: String) -> (data: Data, type: String)? {
        guard let entry = Self.files[path],
              let data = FileManager.default.contents(atPath: root.appendingPathComponent(entry.file).path) else { return nil }
        return (data, entry.type)
    }
}
