import ChildProcesses
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive HTTP/1.1 connection to 127.0.0.1 over a plain socket: the bench times the
/// daemon, not a client library or a `curl` process. Blocking, one request at a time.
final class RawHTTPConnection {
    private let fd: Int32
    private let port: Int
    private var buffer: [UInt8] = []

    struct Response {
        var status: Int
        var head: String
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Connects (throws `connectRefused` while nothing listens yet).
    init(port: Int, timeoutSeconds: Int = 30) throws {
        self.port = port
        switch LoopbackPorts.connect(port, receiveTimeoutSeconds: timeoutSeconds) {
        case .success(let fd): self.fd = fd
        case .failure(let error) where error.code == .ECONNREFUSED: throw HTTPConnectError.refused
        case .failure(let error): throw HTTPConnectError.other(error.code.rawValue)
        }
    }

    deinit { close(fd) }

    /// Sends one request and reads the whole response (`Content-Length` or chunked body).
    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        // A local program says so (the daemon serves no request without Origin otherwise).
        if !headers.contains(where: { $0.0.lowercased() == "origin" }) { head += "X-CPS-Bridge: 1\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(Array(head.utf8) + body)
        // Head.
        var end: Int?
        while true {
            end = Self.find(buffer, [13, 10, 13, 10])
            if end != nil { break }
            try fill()
        }
        let headText = String(decoding: buffer[..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        let status = Int(headText.split(separator: " ").dropFirst().first ?? "") ?? 0
        let lines = headText.split(separator: "\r\n").dropFirst().map { $0.lowercased() }
        var responseBody: [UInt8] = []
        if let length = lines.first(where: { $0.hasPrefix("content-length:") }).flatMap({ Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }) {
            while buffer.count < length { try fill() }
            responseBody = Array(buffer.prefix(length))
            buffer.removeFirst(length)
        } else if lines.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }) {
            while true {
                var lineEnd: Int?
                while true {
                    lineEnd = Self.find(buffer, [13, 10])
                    if lineEnd != nil { break }
                    try fill()
                }
                let sizeText = String(decoding: buffer[..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw BenchError("bad chunk size") }
                buffer.removeFirst(lineEnd! + 2)
                while buffer.count < size + 2 { try fill() }
                responseBody += buffer.prefix(size)
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        }
        return Response(status: status, head: headText, body: responseBody)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &chunk, chunk.count)
        guard n > 0 else { throw BenchError(n == 0 ? "the server closed the connection" : "read: errno \(errno)") }
        buffer += chunk.prefix(n)
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + sent, $0.count - sent) }
            guard n > 0 else { throw BenchError("write: errno \(errno)") }
            sent += n
        }
    }

    private static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

enum HTTPConnectError: Error {
    case refused
    case other(Int32)
}
