import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The keypad and display of one of the bed's simulated PIN-pad readers, driven over its Unix
/// socket (docs/TESTING.md, "The PIN-pad reader"): what a person does at a real reader.
///
/// `type`, `cancel` and `timeout` wait (up to 10 s, in the reader) for a PIN entry to be
/// waiting, so a test may call them right after starting a login on another task.
public struct Keypad: Sendable {
    public let socketPath: String

    /// The keypad of `reader`.
    /// - Throws: `TestBedError` when `reader` is a vpcd reader (no keypad).
    public init(reader: BedReader) throws {
        guard let path = reader.keypadSocketPath else { throw TestBedError("\(reader.name) has no keypad (not a PIN-pad reader)") }
        socketPath = path
    }

    /// Types `digits` then OK.
    /// - Throws: `TestBedError` with the reader's answer when no entry was waiting or the
    ///   digits are not 1 to 32 of 0-9.
    public func type(_ digits: String) throws { try expectOK("type \(digits)", what: "type") }

    /// Presses Cancel: the entry ends with 64 01.
    public func cancel() throws { try expectOK("cancel", what: "cancel") }

    /// Ends the entry as if its time had run out: 64 00.
    public func timeout() throws { try expectOK("timeout", what: "timeout") }

    /// What the display shows, and whether a PIN entry is waiting.
    public func display() throws -> KeypadDisplay {
        let answer = try send("display")
        guard let display = KeypadDisplay(answer: answer) else { throw TestBedError("keypad display: unexpected answer \(answer)") }
        return display
    }

    /// Waits until a PIN entry is waiting (the reader got FEATURE_VERIFY_PIN_DIRECT) and
    /// returns the display then.
    public func waitForEntry(timeout: TimeInterval = 10) throws -> KeypadDisplay {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let shown = try display()
            if shown.waiting { return shown }
            guard Date() < deadline else { throw TestBedError("no PIN entry waiting on \(socketPath) after \(timeout) s (display: \(shown))") }
            usleep(20_000)
        }
    }

    private func expectOK(_ command: String, what: String) throws {
        let answer = try send(command)
        guard answer == "OK" else { throw TestBedError("keypad \(what): \(answer)") }
    }

    /// Sends one command line and returns the reader's one-line answer.
    public func send(_ command: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestBedError("socket: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw TestBedError("cannot reach the keypad \(socketPath): errno \(errno)") }
        // The reader answers within its 10 s wait for an entry; never hang a test beyond that.
        var limit = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let line = Array((command + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0A { answer.append(byte) }
        guard byte == 0x0A else { throw TestBedError("keypad \(socketPath): no answer to \(command.split(separator: " ").first ?? "")") }
        return String(decoding: answer, as: UTF8.self)
    }
}
