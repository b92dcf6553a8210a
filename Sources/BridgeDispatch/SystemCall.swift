#if canImport(Glibc)
import Glibc
#endif

/// The one door to the C library for the dispatcher's sockets: every call goes through
/// `SystemCall.run`, which retries it when a signal interrupted it (`EINTR`) and turns a
/// failure into an error naming the function.
enum SystemCall {
    /// Calls `body` (the C function `function`) until it is not interrupted; a negative result
    /// becomes `SystemCallError(function, errno)`.
    @discardableResult
    static func run<Result: BinaryInteger>(_ function: String, _ body: () -> Result) throws(SystemCallError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            guard code == EINTR else { throw SystemCallError(function: function, code: code) }
        }
    }
}

extension SystemCall {
    /// `accept(2)`, then close-on-exec (and non-blocking when asked) on the new descriptor
    /// (`accept4` is not in Swift's Glibc module).
    static func accept(_ listener: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?,
                       nonBlocking: Bool) throws(SystemCallError) -> Int32 {
        let descriptor = try run("accept") { Glibc.accept(listener, address, length) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        return descriptor
    }
}

/// A system call that failed: which one, and its `errno`.
public struct SystemCallError: Error, Hashable, Sendable, CustomStringConvertible {
    public let function: String
    public let code: Int32

    public init(function: String, code: Int32) {
        self.function = function
        self.code = code
    }

    /// The peer is gone: its socket was closed (`EPIPE`, `ECONNRESET`, `ECONNREFUSED`, `ENOTCONN`).
    public var peerGone: Bool { [EPIPE, ECONNRESET, ECONNREFUSED, ENOTCONN].contains(code) }

    /// The call would block (`EAGAIN`).
    public var wouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }

    public var description: String { "\(function) failed: \(String(cString: strerror(code)))" }
}
