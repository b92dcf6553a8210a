#if canImport(Glibc)
import Glibc
#endif

/// Standard output or standard error, written at once with write(2): no buffer to flush, so
/// a script or a test waiting for a line sees it as soon as it is said.
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    /// Writes all of `text`, retrying after a signal; a closed stream loses the text quietly.
    public func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Writes `line` and a newline.
    public func say(_ line: String) {
        write(line + "\n")
    }
}
