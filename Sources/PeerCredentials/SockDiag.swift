#if canImport(Glibc)
import Glibc
#endif

/// The exact look-up of one TCP socket through `NETLINK_SOCK_DIAG` (`sock_diag(7)`): a
/// `SOCK_DIAG_BY_FAMILY` request carrying an `inet_diag_req_v2` whose `id` is the socket's
/// 4-tuple, answered by one `inet_diag_msg` holding `idiag_uid`.
///
/// The kernel structures are built and read as bytes at their fixed offsets (the linux/*.h
/// headers are not part of Swift's Glibc module); the layout is the kernel's stable ABI.
enum SockDiag {
    // linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h
    static let netlinkSockDiag: Int32 = 4          // NETLINK_SOCK_DIAG
    static let sockDiagByFamily: UInt16 = 20       // SOCK_DIAG_BY_FAMILY
    static let requestFlag: UInt16 = 0x01          // NLM_F_REQUEST
    static let errorType: UInt16 = 2               // NLMSG_ERROR
    static let headerSize = 16                     // struct nlmsghdr
    static let requestSize = 56                    // struct inet_diag_req_v2
    /// Offset of `idiag_uid` in `struct inet_diag_msg` (family, state, timer, retrans: 4;
    /// the 48-byte `inet_diag_sockid`; expires, rqueue, wqueue: 12).
    static let uidOffset = 64

    /// The TCP states of a socket that still belongs to its process (`1 << TCP_ESTABLISHED`,
    /// SYN_SENT, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING). A TIME_WAIT socket has
    /// no owner any more: the kernel reports UID 0 for it, which must never pass for root.
    static let liveStates: UInt32 = [1, 2, 4, 5, 8, 9, 11].reduce(0) { $0 | 1 << $1 }

    /// The UID owning the socket whose own end is `source` and whose peer is `destination`.
    static func owner(source: Endpoint, destination: Endpoint) throws(PeerLookupError) -> UInt32 {
        let fd = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkSockDiag)
        guard fd >= 0 else { throw .system("socket(AF_NETLINK)", errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let request = message(source: source, destination: destination)
        // struct sockaddr_nl for the kernel: family, pad, nl_pid 0, nl_groups 0.
        var kernel = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: sa_family_t(AF_NETLINK)) { kernel.replaceSubrange(0..<2, with: $0) }
        let sent = request.withUnsafeBytes { bytes in
            kernel.withUnsafeBytes {
                sendto(fd, bytes.baseAddress, bytes.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
        }
        guard sent == request.count else { throw .system("sendto(NETLINK_SOCK_DIAG)", errno) }

        var answer = [UInt8](repeating: 0, count: 8192)
        var received = -1
        repeat {
            received = answer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        } while received < 0 && errno == EINTR
        guard received >= headerSize else { throw .system("recv(NETLINK_SOCK_DIAG)", errno) }
        return try parse(Array(answer.prefix(received)), connection: source.description)
    }

    /// The request: a netlink header, then `inet_diag_req_v2` for TCP in every state.
    static func message(source: Endpoint, destination: Endpoint) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerSize + requestSize)
        append32(&bytes, UInt32(headerSize + requestSize))          // nlmsg_len
        append16(&bytes, sockDiagByFamily)                          // nlmsg_type
        append16(&bytes, requestFlag)                               // nlmsg_flags
        append32(&bytes, 1)                                         // nlmsg_seq
        append32(&bytes, 0)                                         // nlmsg_pid
        bytes.append(UInt8(source.address.count == 4 ? AF_INET : AF_INET6)) // sdiag_family
        bytes.append(UInt8(IPPROTO_TCP))                            // sdiag_protocol
        bytes.append(0)                                             // idiag_ext
        bytes.append(0)                                             // pad
        append32(&bytes, liveStates)                                // idiag_states
        // inet_diag_sockid: ports and addresses in network order.
        bytes.append(contentsOf: [UInt8(source.port >> 8), UInt8(source.port & 0xFF)])
        bytes.append(contentsOf: [UInt8(destination.port >> 8), UInt8(destination.port & 0xFF)])
        bytes.append(contentsOf: padded(source.address))
        bytes.append(contentsOf: padded(destination.address))
        append32(&bytes, 0)                                         // idiag_if
        append32(&bytes, 0xFFFF_FFFF)                               // idiag_cookie: INET_DIAG_NOCOOKIE
        append32(&bytes, 0xFFFF_FFFF)
        return bytes
    }

    /// `idiag_uid` of the answer, or the error it carries.
    static func parse(_ answer: [UInt8], connection: String) throws(PeerLookupError) -> UInt32 {
        let type = read16(answer, 4)
        if type == errorType {
            guard answer.count >= headerSize + 4 else { throw .malformedAnswer("short NLMSG_ERROR") }
            let code = -Int32(bitPattern: read32(answer, headerSize))
            if code == ENOENT { throw .notFound(connection) }
            throw .system("NETLINK_SOCK_DIAG", code)
        }
        guard type == sockDiagByFamily, answer.count >= headerSize + uidOffset + 4 else {
            throw .malformedAnswer("message type \(type), \(answer.count) bytes")
        }
        // An exact look-up ignores `idiag_states` and also finds TIME_WAIT sockets: check
        // `idiag_state` (the message's second byte) ourselves.
        let state = answer[headerSize + 1]
        guard state < 32, liveStates & (1 << UInt32(state)) != 0 else { throw .notFound(connection) }
        return read32(answer, headerSize + uidOffset)
    }

    private static func padded(_ address: [UInt8]) -> [UInt8] {
        address + [UInt8](repeating: 0, count: 16 - address.count)
    }

    private static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    private static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    /// Netlink headers and `inet_diag` fields other than ports and addresses are in the
    /// machine's own byte order.
    private static func read16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
    }

    private static func read32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }
}
