import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The simulated PIN pad's keypad, as the demo drives it: one command line to the reader's
/// keypad socket (`type 1234`, `cancel`, `timeout`, `display`), one answer line back.
public struct DemoKeypad: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Sends `command` and returns the keypad's answer line.
    /// - Throws: `DemoError` when the keypad socket cannot be reached.
    public func send(_ command: String) throws(DemoError) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DemoError("keypad: socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw DemoError("keypad: path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw DemoError("keypad: cannot reach \(path): \(String(cString: strerror(errno)))") }
        let line = Array((command + "\n").utf8)
        guard line.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == line.count else {
            throw DemoError("keypad: write failed: \(String(cString: strerror(errno)))")
        }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { break }
            answer.append(byte)
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// What a line typed in the demo's terminal means for the keypad: digits are typed then
    /// OK; `annuler`/`cancel` presses Cancel; `timeout` lets the reader's wait expire;
    /// `display` (or an empty line) reads the display. `nil` for anything else.
    public static func command(forTerminalLine line: String) -> String? {
        let text = line.trimmingCharacters(in: .whitespaces).lowercased()
        switch text {
        case "annuler", "cancel": return "cancel"
        case "timeout": return "timeout"
        case "", "display", "écran", "ecran": return "display"
        default:
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
            return "type " + text
        }
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
