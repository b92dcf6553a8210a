import Foundation
import SmartCard
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Appends every command and response APDU to a file as hex, one line each (`> ` command,
/// `< ` response). The data of VERIFY is masked (`**`): PINs never reach the log.
public final class APDULog: Sendable {
    private let handle: Mutex<FileHandle>

    /// Opens (creating, mode 0600) `path` for appending. Append mode: a reader may truncate
    /// the file between runs without leaving holes.
    public init(path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        handle = Mutex(FileHandle(fileDescriptor: fd, closeOnDealloc: true))
    }

    /// Writes a command and its response.
    public func record(command: [UInt8], response: [UInt8]) {
        let text = "> \(APDULog.masked(command))\n< \(response.hexString)\n"
        handle.withLock { try? $0.write(contentsOf: Data(text.utf8)) }
    }

    /// The command as hex with the data field of VERIFY (INS `20`, any class) replaced by `**`.
    public static func masked(_ command: [UInt8]) -> String {
        guard command.count > 5, command[1] == 0x20 else { return command.hexString }
        var parts = Array(command.prefix(5)).hexString
        parts += String(repeating: " **", count: command.count - 5)
        return parts
    }
}
