import PeerCredentials
#if canImport(Glibc)
import Glibc
#endif

extension RegistrySocket {
    /// The size of a `cmsghdr` carrying one descriptor (`CMSG_SPACE(sizeof(int))`).
    private static let controlSpace = MemoryLayout<cmsghdr>.size + MemoryLayout<Int>.size
    /// Its `cmsg_len` (`CMSG_LEN(sizeof(int))`).
    private static let controlLength = MemoryLayout<cmsghdr>.size + MemoryLayout<Int32>.size

    /// Sends `message`, with `passing` attached (`SCM_RIGHTS`) when given: the receiver gets
    /// its own descriptor for the same open socket, the caller still has to close its copy.
    /// - Parameter wait: false for the dispatcher, which must never block on a slow daemon
    ///   (`EAGAIN` then).
    public func send(_ message: RegistryMessage, passing: Int32? = nil, wait: Bool = true) throws {
        var bytes = Array(message.line.utf8)
        let control = UnsafeMutableRawPointer.allocate(byteCount: Self.controlSpace, alignment: MemoryLayout<Int>.alignment)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0, count: Self.controlSpace)
        let flags = Int32(MSG_NOSIGNAL) | (wait ? 0 : Int32(MSG_DONTWAIT))
        try bytes.withUnsafeMutableBytes { buffer in
            var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
            try withUnsafeMutablePointer(to: &vector) { vector in
                var header = msghdr()
                header.msg_iov = vector
                header.msg_iovlen = 1
                if let passing {
                    let cmsg = control.assumingMemoryBound(to: cmsghdr.self)
                    cmsg.pointee.cmsg_len = Self.controlLength
                    cmsg.pointee.cmsg_level = SOL_SOCKET
                    cmsg.pointee.cmsg_type = Int32(SCM_RIGHTS)
                    control.storeBytes(of: passing, toByteOffset: MemoryLayout<cmsghdr>.size, as: Int32.self)
                    header.msg_control = control
                    header.msg_controllen = Self.controlSpace
                }
                try SystemCall.run("sendmsg") { sendmsg(descriptor, &header, flags) }
            }
        }
    }

    /// The next message and the descriptor it carried (close-on-exec; the caller owns it), or
    /// `nil` when the other end closed.
    /// - Parameter wait: false to return `EAGAIN` rather than wait.
    /// - Throws: `SystemCallError`, or `RegistryProtocolError` for a message that cannot be
    ///   read (any descriptor it carried is closed).
    public func receive(wait: Bool = true) throws -> (message: RegistryMessage, descriptor: Int32?)? {
        var bytes = [UInt8](repeating: 0, count: RegistryMessage.maxLength + 1)
        let control = UnsafeMutableRawPointer.allocate(byteCount: Self.controlSpace, alignment: MemoryLayout<Int>.alignment)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0, count: Self.controlSpace)
        let flags = Int32(MSG_CMSG_CLOEXEC) | (wait ? 0 : Int32(MSG_DONTWAIT))
        var header = msghdr()
        let count = try bytes.withUnsafeMutableBytes { buffer in
            var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
            return try withUnsafeMutablePointer(to: &vector) { vector throws(SystemCallError) in
                header.msg_iov = vector
                header.msg_iovlen = 1
                header.msg_control = control
                header.msg_controllen = Self.controlSpace
                return try SystemCall.run("recvmsg") { recvmsg(descriptor, &header, flags) }
            }
        }
        var passed: Int32?
        if header.msg_controllen >= Self.controlLength {
            let cmsg = control.assumingMemoryBound(to: cmsghdr.self)
            if cmsg.pointee.cmsg_level == SOL_SOCKET, cmsg.pointee.cmsg_type == Int32(SCM_RIGHTS), cmsg.pointee.cmsg_len >= Self.controlLength {
                passed = control.load(fromByteOffset: MemoryLayout<cmsghdr>.size, as: Int32.self)
            }
        }
        guard count > 0 else {
            if let passed { Glibc.close(passed) }
            return nil
        }
        do {
            if header.msg_flags & Int32(MSG_CTRUNC) != 0 { throw RegistryProtocolError.malformed("more than one descriptor in a message") }
            if header.msg_flags & Int32(MSG_TRUNC) != 0 { throw RegistryProtocolError.tooLong(count) }
            let message = try RegistryMessage(bytes: Array(bytes[..<count]))
            if message != .connection, passed != nil { throw RegistryProtocolError.malformed("a descriptor with \(message.line.prefix(16))") }
            if message == .connection, passed == nil { throw RegistryProtocolError.malformed("CONNECTION without its descriptor") }
            return (message, passed)
        } catch {
            if let passed { Glibc.close(passed) }
            throw error
        }
    }
}
