import ChildProcesses
#if canImport(Glibc)
import Glibc
#endif

/// One conversation with an Assuan server run as a child process (a pinentry).
///
/// Lines are at most 1000 bytes; `%`, CR and LF are percent-escaped both ways. Data lines
/// (`D ...`) carrying a PIN are decoded straight into a `SecretPIN`, and the raw bytes are
/// zeroed; nothing here logs.
final class AssuanSession {
    private let process: SpawnedProcess
    private let deadline: ContinuousClock.Instant
    private let cancellation: PromptCancellation?
    private var buffer: [UInt8] = []

    enum Answer {
        case ok
        case data(SecretPIN)
        case cancelled
    }

    /// Starts `program` and reads its greeting.
    /// - Parameter cancellation: closes the conversation from another thread (the child is
    ///   killed; the blocked read then fails).
    init(program: String, timeout: Duration, cancellation: PromptCancellation? = nil) throws {
        guard access(program, X_OK) == 0 else {
            throw PinentryError.cannotStart("\(program) is not an executable file")
        }
        do { process = try SpawnedProcess(program) } catch { throw PinentryError.cannotStart("\(error)") }
        deadline = .now + timeout + .seconds(5)
        self.cancellation = cancellation
        cancellation?.register(process.pid)
        do {
            guard case .ok = try readAnswer() else { throw PinentryError.protocolError("no greeting") }
        } catch {
            close()
            throw error
        }
    }

    /// Sends a command that must answer OK.
    func command(_ line: String) throws {
        guard case .ok = try request(line) else { throw PinentryError.protocolError("unexpected answer to \(line.prefix(8))") }
    }

    /// Sends a command and reads its answer.
    func request(_ line: String) throws -> Answer {
        try write(line)
        return try readAnswer()
    }

    /// Says goodbye and waits for the child to end (SIGTERM if it lingers).
    func close() {
        if cancellation?.isCancelled != true { try? write("BYE") }
        process.closeInput()
        cancellation?.unregister()
        if process.isRunning { process.terminate() }
        process.wait()
        zero(&buffer)
    }

    private func write(_ line: String) throws {
        if cancellation?.isCancelled == true { throw PinentryError.cancelled }
        let bytes = Array((line + "\n").utf8)
        guard bytes.count <= 1001 else { throw PinentryError.protocolError("line too long") }
        do { try process.write(bytes) } catch { throw PinentryError.protocolError("pinentry closed its input") }
    }

    private func readAnswer() throws -> Answer {
        var pin: SecretPIN?
        while true {
            var line = try readLine()
            defer { zero(&line) }
            if line.starts(with: Array("OK".utf8)) { return pin.map { .data($0) } ?? .ok }
            if line.starts(with: Array("ERR".utf8)) {
                // GPG_ERR_CANCELED (99) and GPG_ERR_TIMEOUT (62), with the pinentry source (5 << 24).
                let code = Int(String(decoding: line.dropFirst(4).prefix { $0 != 0x20 }, as: UTF8.self)) ?? 0
                if code & 0xFFFF == 99 || code & 0xFFFF == 62 || code & 0xFFFF == 83 { return .cancelled }
                throw PinentryError.protocolError("ERR \(code)")
            }
            if line.starts(with: Array("D ".utf8)) {
                var decoded = Self.unescape(line.dropFirst(2))
                pin = SecretPIN(bytes: decoded)
                zero(&decoded)
                continue
            }
            // Status (S), comments (#) and INQUIREs we do not answer: skip.
            if line.starts(with: Array("INQUIRE".utf8)) { try write("END") }
        }
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.replaceSubrange(...newline, with: repeatElement(0, count: 0))
                return line
            }
            guard ContinuousClock.now < deadline else { throw PinentryError.timeout }
            var pollFD = pollfd(fd: process.outputFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, 200)
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 1024)
            let n = read(process.outputFD, &chunk, chunk.count)
            guard n > 0 else {
                if cancellation?.isCancelled == true { throw PinentryError.cancelled }
                throw PinentryError.protocolError("pinentry ended the conversation")
            }
            buffer += chunk[..<n]
            zero(&chunk)
            guard buffer.count < 4096 else { throw PinentryError.protocolError("line too long") }
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\n": out += "%0A"
            case "\r": out += "%0D"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func unescape(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == 0x25, let j = bytes.index(i, offsetBy: 2, limitedBy: bytes.endIndex), j != bytes.endIndex,
               let hi = hexValue(bytes[bytes.index(after: i)]), let lo = hexValue(bytes[j]) {
                out.append(hi << 4 | lo)
                i = bytes.index(after: j)
            } else {
                out.append(b)
                i = bytes.index(after: i)
            }
        }
        return out
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x37
        case 0x61...0x66: b - 0x57
        default: nil
        }
    }
}

func zero(_ bytes: inout [UInt8]) {
    for i in bytes.indices { bytes[i] = 0 }
}
