#if canImport(Glibc)
import Glibc
#endif

/// The fallback look-up: the kernel's TCP tables as text, `/proc/net/tcp` and
/// `/proc/net/tcp6` (`proc(5)`). Each row gives a socket's local and remote address as
/// hexadecimal (the address words as the machine stores them, the port in host order) and
/// the socket's owner in the eighth column.
enum ProcNetTCP {
    static func owner(source: Endpoint, destination: Endpoint) throws(PeerLookupError) -> UInt32 {
        let path = source.address.count == 4 ? "/proc/net/tcp" : "/proc/net/tcp6"
        guard let text = readFile(path) else { throw .system("open(\(path))", errno) }
        guard let uid = owner(in: text, source: source, destination: destination) else { throw .notFound(source.description) }
        return uid
    }

    /// The owner of the row whose local end is `source` and remote end `destination`.
    static func owner(in table: String, source: Endpoint, destination: Endpoint) -> UInt32? {
        let local = hex(source)
        let remote = hex(destination)
        for line in table.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count > 7, columns[1] == local, columns[2] == remote,
                  let state = UInt32(columns[3], radix: 16), state < 32, SockDiag.liveStates & (1 << state) != 0 else { continue }
            return UInt32(columns[7])
        }
        return nil
    }

    /// The kernel's text form of an endpoint: each 32-bit word of the address printed as the
    /// machine holds it (`%08X`), a colon, the port (`%04X`).
    static func hex(_ endpoint: Endpoint) -> Substring {
        var text = ""
        for word in stride(from: 0, to: endpoint.address.count, by: 4) {
            let value = endpoint.address.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: word, as: UInt32.self) }
            text += hex(value, width: 8)
        }
        return Substring(text + ":" + hex(UInt32(endpoint.port), width: 4))
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "re") else { return nil }
        defer { fclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            data.append(contentsOf: chunk.prefix(count))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
