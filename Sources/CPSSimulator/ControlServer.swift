import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Line commands on a Unix stream socket: one command per line, one answer line per command
/// (`ok`, a status line, or `error: <why>`). Each connection is served on its own thread.
public final class ControlServer: Sendable {
    public let path: String
    private let handler: @Sendable (String) -> String
    private let listener: Int32

    /// Binds `path` (replacing a stale socket file).
    /// - Parameter handler: answers one command line (without its newline).
    public init(path: String, handler: @escaping @Sendable (String) -> String) throws {
        guard let fd = POSIXSocket.listenUnix(path: path) else { throw CocoaError(.fileWriteUnknown) }
        self.path = path
        self.listener = fd
        self.handler = handler
    }

    /// Starts accepting connections on a thread of its own.
    public func start() {
        let thread = Thread { [self] in
            while let client = POSIXSocket.accept(listener) {
                let connection = Thread { [self] in serve(client) }
                connection.name = "control-connection"
                connection.start()
            }
        }
        thread.name = "control-accept"
        thread.start()
    }

    /// Removes the socket file.
    public func removeSocketFile() { unlink(path) }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        while pending.count < 4096, let chunk = readSome(fd) {
            pending += chunk
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeSubrange(...newline)
                if line.isEmpty { continue }
                guard POSIXSocket.writeAll(fd, Array((handler(line) + "\n").utf8)) else { return }
            }
        }
    }

    private func readSome(_ fd: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 512) }
        return n > 0 ? Array(buffer[..<n]) : nil
    }
}
