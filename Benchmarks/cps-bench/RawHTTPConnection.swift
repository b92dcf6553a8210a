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
    /// What `read` fills, kept from one read to the next: the bench's client must not add a
    /// 64 KiB allocation and zeroing to every answer it times.
    private var chunk = [UInt8](repeating: 0, count: 65536)

    struct Response {
        var status: Int
        var head: String
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }

        /// The value of the first header field called `name` (lowercase).
        func field(_ name: String) -> String? {
            RawHTTPConnection.field(name, in: ArraySlice(head.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
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
        // Read from the bytes: what the client does after the answer arrives is counted in the
        // login's time, and Foundation's string handling took 58 µs of it at the median
        // (BENCHMARKS.md, "The bench's client was part of that share").
        let headBytes = buffer[..<end!]
        let headText = String(decoding: headBytes, as: UTF8.self)
        let status = Self.status(headBytes)
        let length = Self.field("content-length", in: headBytes).flatMap(Self.decimal)
        let chunked = Self.field("transfer-encoding", in: headBytes).map { String(decoding: $0, as: UTF8.self).lowercased().contains("chunked") } ?? false
        buffer.removeFirst(end! + 4)
        var responseBody: [UInt8] = []
        if let length {
            while buffer.count < length { try fill() }
            responseBody = Array(buffer.prefix(length))
            buffer.removeFirst(length)
        } else if chunked {
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
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw BenchError(n == 0 ? "the server closed the connection" : "read: errno \(errno)") }
        buffer.append(contentsOf: chunk[..<n])
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + sent, $0.count - sent) }
            guard n > 0 else { throw BenchError("write: errno \(errno)") }
            sent += n
        }
    }

    /// The status code of a head's first line ("HTTP/1.1 200 OK"), 0 if there is none.
    private static func status(_ head: ArraySlice<UInt8>) -> Int {
        guard let space = head.firstIndex(of: UInt8(ascii: " ")) else { return 0 }
        return decimal(head[(space + 1)...].prefix { $0 != UInt8(ascii: " ") && $0 != 13 }) ?? 0
    }

    /// The value of the first header field called `name` (lowercase), spaces trimmed.
    fileprivate static func field(_ name: String, in head: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let wanted = Array(name.utf8) + [UInt8(ascii: ":")]
        var line = head.startIndex
        while line < head.endIndex {
            let lineEnd = head[line...].firstIndex(of: 13) ?? head.endIndex
            let text = head[line..<lineEnd]
            // ASCII letters compared with bit 0x20 set: "Content-Length" is "content-length".
            if text.count >= wanted.count, zip(text, wanted).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) {
                var value = text.dropFirst(wanted.count)
                while value.first == 32 || value.first == 9 { value = value.dropFirst() }
                while value.last == 32 || value.last == 9 { value = value.dropLast() }
                return value
            }
            line = lineEnd + 2
        }
        return nil
    }

    /// Decimal digits as a number; `nil` for anything else or nothing.
    private static func decimal(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for digit in digits {
            guard (48...57).contains(digit) else { return nil }
            value = value * 10 + Int(digit - 48)
        }
        return value
    }

    private static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}

enum HTTPConnectError: Error {
    case refused
    case other(Int32)
}
