#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the daemon writes JSON: keys sorted (stable output, readable diffs), slashes left
/// unescaped (base64 and URLs stay as they are).
public enum WireJSON {
    /// `value` as JSON bytes.
    ///
    /// The protocol's types hold only strings, integers, booleans, arrays and objects, so
    /// encoding them cannot fail; a failure is a programming error.
    public static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            preconditionFailure("BridgeProtocol values always encode: \(error)")
        }
    }
}
