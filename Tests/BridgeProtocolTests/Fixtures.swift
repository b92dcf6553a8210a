import Foundation
import Testing

/// The PROTOCOL.md test vector (TEST ONLY key and certificate), from `Fixtures/`.
enum Fixtures {
    static let origin = "https://auth.esw.esante.gouv.fr"
    static let nonce = "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg="

    static func text(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// `docs/PROTOCOL.md`, read from the source tree.
    static func protocolDocument() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
    }
}
