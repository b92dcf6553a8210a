import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal WebSocket client over a plain socket, for tests and the bench: it sends exactly
/// the headers a browser would (one `Origin`, `Host: 127.0.0.1:PORT`), so that the server's
/// checks are tested as a browser meets them, or exactly the odd ones a test gives
/// (`headers`, written as they are, repeats included). Blocking, with a receive timeout.
public final class RawWebSocket {
    private let fd: Int32
    private var buffer: [UInt8] = []
    public let status: Int
    public let responseHead: String

    /// - Parameter localProgram: without `origin`, send `X-CPS-Bridge: 1` as a local program
    ///   does (false: send neither, as a page's `<img>` would).
    public init(port: Int, path: String = "/v1/ws", origin: String?, host: String? = nil, headers: [(String, String)] = [],
                upgrade: Bool = true, localProgram: Bool = true, timeoutSeconds: Int = 10) throws {
        guard case .success(let fd) = LoopbackPorts.connect(port, receiveTimeoutSeconds: timeoutSeconds) else {
            throw RawWebSocketError.io("connect")
        }
        self.fd = fd
        var head = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n"
        if upgrade {
            head += "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            head += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        }
        if let origin { head += "Origin: \(origin)\r\n" } else if localProgram { head += "X-CPS-Bridge: 1\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try Self.write(fd, Array(head.utf8))
        var received: [UInt8] = []
        while true {
            if let end = Self.find(received, [13, 10, 13, 10]) {
                responseHead = String(decoding: received[..<end], as: UTF8.self)
                buffer = Array(received[(end + 4)...])
                break
            }
            let chunk = try Self.read(fd)
            guard !chunk.isEmpty else {
                responseHead = String(decoding: received, as: UTF8.self)
                break
            }
            received += chunk
        }
        status = Int(responseHead.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    deinit { close(fd) }

    /// The response's header fields, names in lower case (a repeated one keeps its last value).
    public var responseHeaders: [String: String] {
        var fields: [String: String] = [:]
        for line in responseHead.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// Everything after the response head until the server closes the connection (the body of
    /// a refusal); throws if it does not close in time.
    public func readToEnd() throws -> [UInt8] {
        while true {
            let chunk = try Self.read(fd)
            if chunk.isEmpty { break }
            buffer += chunk
        }
        defer { buffer = [] }
        return buffer
    }

    /// Sends a text frame (masked, as a client must).
    public func send(_ text: String) throws {
        try sendFrame(opcode: 0x1, Array(text.utf8))
    }

    private func sendFrame(opcode: UInt8, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [0x80 | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try Self.write(fd, frame)
    }

    /// The next text message, or `nil` when the server closed the connection. A ping is
    /// answered with a pong on the way, as a browser does (a server closes a connection whose
    /// pings go unanswered).
    public func receive() throws -> String? {
        while true {
            guard let (opcode, payload) = try nextFrame() else { return nil }
            switch opcode {
            case 0x1: return String(decoding: payload, as: UTF8.self)
            case 0x8: return nil
            case 0x9: try sendFrame(opcode: 0xA, payload)
            default: continue // pong, binary: not used here
            }
        }
    }

    /// The next whole frame. Bytes leave the buffer only once a frame is complete, so a
    /// receive timeout in the middle of a frame loses nothing.
    private func nextFrame() throws -> (UInt8, [UInt8])? {
        while true {
            if let (headerLength, length) = frameLayout(), buffer.count >= headerLength + length {
                let opcode = buffer[0] & 0x0F
                let payload = Array(buffer[headerLength..<(headerLength + length)])
                buffer.removeFirst(headerLength + length)
                return (opcode, payload)
            }
            let chunk = try Self.read(fd)
            if chunk.isEmpty { return nil }
            buffer += chunk
        }
    }

    /// Header and payload lengths of the frame at the start of the buffer, once known.
    private func frameLayout() -> (header: Int, payload: Int)? {
        guard buffer.count >= 2 else { return nil }
        let length = Int(buffer[1] & 0x7F)
        switch length {
        case 126:
            guard buffer.count >= 4 else { return nil }
            return (4, Int(buffer[2]) << 8 | Int(buffer[3]))
        case 127:
            guard buffer.count >= 10 else { return nil }
            return (10, buffer[2..<10].reduce(0) { $0 << 8 | Int($1) })
        default:
            return (2, length)
        }
    }

    private static func read(_ fd: Int32) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = Glibc.read(fd, &chunk, chunk.count)
        if n < 0 { throw RawWebSocketError.io("read (timeout?)") }
        return Array(chunk.prefix(n))
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw RawWebSocketError.io("write") }
    }

    private static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}

public enum RawWebSocketError: Error { case io(String) }
