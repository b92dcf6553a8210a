#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
// `struct stat`'s initialiser and fields: with MemberImportVisibility Swift wants the clang
// module it attributes them to imported here, and which one that is depends on the build (the
// C module behind Dispatch in debug builds, CoreFoundation, loaded by swift-crypto's
// Foundation, in release ones). Header-only modules: nothing more is linked.
import Dispatch
#if canImport(CoreFoundation)
internal import CoreFoundation
#endif

/// A directory only this user can enter, made and checked without following links: where the
/// daemon writes the files it hands to other code (the PKCS#11 module's configuration).
///
/// `mkdir` with mode 0700 (an existing directory is accepted only after the checks), then
/// `open(O_DIRECTORY | O_NOFOLLOW)` and `fstat` on that descriptor: it must be a directory,
/// owned by this process's user, with no access for group or others. A symbolic link, a
/// directory of another user, or one others may enter is refused, and nothing is written
/// through it. Files are written beside a temporary name made with `O_CREAT | O_EXCL |
/// O_NOFOLLOW` (mode 0600) inside the checked descriptor, then renamed over the final name.
public struct PrivateDirectory: Sendable {
    public let path: String

    /// Makes (or checks) `path`; its parent must exist.
    /// - Throws: `PrivateDirectoryError` saying what is wrong with it.
    public init(path: String) throws(PrivateDirectoryError) {
        self.path = path
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        let fd = try Self.openChecked(path)
        close(fd)
    }

    /// Writes `contents` to `name` in the directory (mode 0600), replacing it atomically.
    /// - Returns: the file's path.
    @discardableResult
    public func write(_ contents: String, to name: String) throws(PrivateDirectoryError) -> String {
        precondition(!name.contains("/"), "a file name, not a path")
        let dir = try Self.openChecked(path)
        defer { close(dir) }
        let temporary = ".\(name).\(UInt64.random(in: 0...UInt64.max))"
        let fd = openat(dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: "\(path)/\(name)", reason: String(cString: strerror(errno))) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlinkat(dir, temporary, 0)
                throw .cannotWrite(path: "\(path)/\(name)", reason: reason)
            }
            written += n
        }
        close(fd)
        guard renameat(dir, temporary, dir, name) == 0 else {
            let reason = String(cString: strerror(errno))
            unlinkat(dir, temporary, 0)
            throw .cannotWrite(path: "\(path)/\(name)", reason: reason)
        }
        return "\(path)/\(name)"
    }

    /// Opens `path` as a directory without following a final symbolic link, and checks owner
    /// and mode on the open descriptor (no window between check and use).
    private static func openChecked(_ path: String) throws(PrivateDirectoryError) -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            var info = stat()
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK { throw .symbolicLink(path: path) }
            if code == ENOTDIR { throw .notADirectory(path: path) }
            throw .cannotCreate(path: path, reason: String(cString: strerror(code)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        if info.st_uid != geteuid() {
            close(fd)
            throw .foreignOwner(path: path, owner: info.st_uid)
        }
        if info.st_mode & 0o077 != 0 {
            close(fd)
            throw .openToOthers(path: path, mode: info.st_mode & 0o777)
        }
        return fd
    }
}

/// Why the private directory cannot be used. Nothing was written through it.
public enum PrivateDirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case symbolicLink(path: String)
    case notADirectory(path: String)
    case foreignOwner(path: String, owner: UInt32)
    case openToOthers(path: String, mode: UInt32)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "cannot create the private directory \(path): \(reason)"
        case .symbolicLink(let path):
            "refusing the private directory \(path): it is a symbolic link (remove it; cps-bridge makes its own)"
        case .notADirectory(let path):
            "refusing the private directory \(path): it is not a directory"
        case .foreignOwner(let path, let owner):
            "refusing the private directory \(path): it belongs to uid \(owner), not to this user (\(geteuid())); remove it or set XDG_RUNTIME_DIR"
        case .openToOthers(let path, let mode):
            "refusing the private directory \(path): its mode is 0\(String(mode, radix: 8)), it must be 0700 (chmod 700 it or remove it)"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
