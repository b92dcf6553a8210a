#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import SmartCard

/// A socket listening on a loopback TCP port, as the kernel lists it in `/proc/net/tcp` and
/// `tcp6`: its owner's UID always, and its process when this account may see it.
struct PortListener: Sendable, Equatable {
    let uid: UInt32
    let inode: UInt64
    var pid: Int32?
    /// The process's name (`/proc/PID/comm`): `cps-bridge`, `systemd` (a socket unit)...
    var program: String?

    /// The listeners on `port`, from `tables` (default: the kernel's IPv4 and IPv6 tables).
    static func find(port: Int, tables: [String] = ["/proc/net/tcp", "/proc/net/tcp6"]) -> [PortListener] {
        var found: [PortListener] = []
        for table in tables {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, fields[3] == "0A", // TCP_LISTEN
                      let portText = fields[1].split(separator: ":").last, Int(portText, radix: 16) == port,
                      let uid = UInt32(fields[7]), let inode = UInt64(fields[9]) else { continue }
                found.append(PortListener(uid: uid, inode: inode))
            }
        }
        return owners(of: found)
    }

    /// Fills in each listener's process, by the `socket:[INODE]` links under `/proc/*/fd`.
    private static func owners(of listeners: [PortListener]) -> [PortListener] {
        guard !listeners.isEmpty, let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return listeners }
        var result = listeners
        let wanted = Dictionary(uniqueKeysWithValues: listeners.enumerated().map { ("socket:[\($0.element.inode)]", $0.offset) })
        for pid in pids.compactMap(Int32.init) {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                      let index = wanted[target], result[index].pid == nil else { continue }
                result[index].pid = pid
                result[index].program = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingWhitespace
            }
        }
        return result
    }

    /// The account name of `uid`, else the number.
    static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "UID \(uid)" }
        return String(cString: name)
    }
}

/// `GET /v1/status` on 127.0.0.1:`port`, as a local program (no `Origin`): the answer's status
/// line and body, or `nil` when nothing answered in `timeoutSeconds`.
func loopbackStatus(port: Int, timeoutSeconds: Int) -> (status: Int, body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-CPS-Bridge: 1\r\nConnection: close\r\n\r\n".utf8)
    guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while response.count < 256 * 1024 {
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard text.hasPrefix("HTTP/1."), let code = Int(text.dropFirst(9).prefix(3)) else { return nil }
    let body = text.firstRange(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (code, body)
}
