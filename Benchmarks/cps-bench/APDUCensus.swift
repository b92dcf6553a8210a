import Foundation

/// The command APDUs a run sent to the simulated card, read from the simulator's `apdu.log`
/// (`> ` command line, `< ` response line, hex bytes separated by spaces; VERIFY data masked).
struct APDUCensus {
    /// Instruction bytes of each command, in order.
    var instructions: [UInt8] = []
    /// VERIFY commands that carried a PIN (masked in the log); the others only ask for the
    /// PIN's state.
    var verifiesWithPIN = 0

    var total: Int { instructions.count }

    /// The kinds of command the tables report, by INS.
    enum Kind: String, CaseIterable {
        case select = "SELECT"
        case readBinary = "READ BINARY"
        case getData = "GET DATA"
        case verify = "VERIFY"
        case mse = "MSE"
        case internalAuthenticate = "INTERNAL AUTHENTICATE"
        case other = "other"

        init(ins: UInt8) {
            switch ins {
            case 0xA4: self = .select
            case 0xB0, 0xB1: self = .readBinary
            case 0xCA, 0xCB: self = .getData
            case 0x20: self = .verify
            case 0x22: self = .mse
            case 0x88: self = .internalAuthenticate
            default: self = .other
            }
        }
    }

    func count(_ kind: Kind) -> Int { instructions.filter { Kind(ins: $0) == kind }.count }

    /// `SELECT 12, READ BINARY 20, ...` (kinds with no command left out).
    var breakdown: String {
        Kind.allCases.compactMap { kind in
            let n = count(kind)
            guard n > 0 else { return nil }
            return kind == .verify ? "VERIFY \(n) (\(verifiesWithPIN) with PIN)" : "\(kind.rawValue) \(n)"
        }.joined(separator: ", ")
    }
}

/// Follows a simulator's `apdu.log`: each `next()` returns the commands appended since the
/// last call.
final class APDULogFollower {
    let path: String
    private var offset: UInt64 = 0

    /// Starts at the end of the file: what came before is not counted.
    init(path: String) {
        self.path = path
        offset = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
    }

    /// The commands logged since the last call (or since `init`).
    func next() throws -> APDUCensus {
        guard let handle = FileHandle(forReadingAtPath: path) else { return APDUCensus() }
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let data = try handle.readToEnd() ?? Data()
        // Only whole lines: the simulator writes each command and response pair in one write,
        // so a partial line would mean a write still under way.
        guard let lastNewline = data.lastIndex(of: 0x0A) else { return APDUCensus() }
        let complete = data[data.startIndex...lastNewline]
        offset += UInt64(complete.count)
        var census = APDUCensus()
        for line in complete.split(separator: 0x0A) where line.first == UInt8(ascii: ">") {
            // "> CLA INS P1 P2 ...": the second hex byte is INS.
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count >= 3, let ins = UInt8(String(decoding: fields[2], as: UTF8.self), radix: 16) else { continue }
            census.instructions.append(ins)
            if ins == 0x20, fields.count > 6 { census.verifiesWithPIN += 1 }
        }
        return census
    }
}
