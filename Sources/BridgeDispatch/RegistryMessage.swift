/// The registration protocol between a user's daemon and the dispatcher, version 1
/// (docs/ARCHITECTURE.md, "The dispatcher"): one message per packet of a `SOCK_SEQPACKET`
/// Unix socket, each one line of printable ASCII ending in `\n`, at most `maxLength` bytes.
///
/// ```
/// daemon -> dispatcher   REGISTER 1 cps-bridge/0.1.0
/// dispatcher -> daemon   WELCOME 1 1001 127.0.0.1:24830 [::1]:24830
///                        (or REFUSED <why>, and the dispatcher closes)
/// dispatcher -> daemon   CONNECTION          + one TCP connection's descriptor (SCM_RIGHTS)
/// dispatcher -> daemon   REPLACED            (a newer registration of the account took over; closes)
/// ```
/// What the daemon says identifies nothing: the dispatcher takes the account from the socket's
/// `SO_PEERCRED`, and `WELCOME` tells the daemon which UID that was.
public enum RegistryMessage: Sendable, Hashable {
    /// The daemon's request: the protocol version it speaks and its software, for the log.
    case register(version: Int, software: String)
    /// The dispatcher's acceptance: its version, the UID it registered, the public addresses
    /// the connections come in on (`127.0.0.1:24830`, `[::1]:24830`).
    case welcome(version: Int, uid: UInt32, addresses: [String])
    /// The dispatcher's refusal, for the daemon's log.
    case refused(String)
    /// One connection: its descriptor travels with the message.
    case connection
    /// Another registration of the same account replaced this one.
    case replaced

    /// The version this code speaks.
    public static let version = 1
    /// The longest message, newline included.
    public static let maxLength = 512

    /// The message's line, newline included.
    public var line: String {
        switch self {
        case .register(let version, let software): "REGISTER \(version) \(software)\n"
        case .welcome(let version, let uid, let addresses): "WELCOME \(version) \(uid) \(addresses.joined(separator: " "))\n"
        case .refused(let why): "REFUSED \(why)\n"
        case .connection: "CONNECTION\n"
        case .replaced: "REPLACED\n"
        }
    }

    /// Reads one message.
    /// - Throws: `RegistryProtocolError` saying what is wrong with it.
    public init(bytes: [UInt8]) throws(RegistryProtocolError) {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= Self.maxLength else { throw .tooLong(bytes.count) }
        guard bytes.last == UInt8(ascii: "\n") else { throw .unterminated }
        let body = bytes.dropLast()
        guard body.allSatisfy({ (0x20...0x7E).contains($0) }) else { throw .notPrintable }
        let words = String(decoding: body, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        switch words[0] {
        case "REGISTER":
            guard words.count == 3, !words[2].isEmpty else { throw .malformed("REGISTER takes a version and a software name") }
            self = .register(version: try Self.version(words[1]), software: words[2])
        case "WELCOME":
            guard words.count >= 4 else { throw .malformed("WELCOME takes a version, a UID and at least one address") }
            guard let uid = UInt32(words[2]) else { throw .malformed("WELCOME's UID \"\(words[2])\" is not a number") }
            let addresses = Array(words[3...])
            guard addresses.allSatisfy(Self.isAddress) else { throw .malformed("WELCOME's addresses must be HOST:PORT") }
            self = .welcome(version: try Self.version(words[1]), uid: uid, addresses: addresses)
        case "REFUSED":
            self = .refused(words.dropFirst().joined(separator: " "))
        case "CONNECTION" where words.count == 1:
            self = .connection
        case "REPLACED" where words.count == 1:
            self = .replaced
        default:
            throw .unknown(words[0])
        }
    }

    private static func version(_ word: String) throws(RegistryProtocolError) -> Int {
        guard let version = Int(word), version > 0 else { throw .malformed("version \"\(word)\" is not a positive number") }
        return version
    }

    /// `127.0.0.1:24830` or `[::1]:24830`: a host and a port from 1 to 65535.
    static func isAddress(_ word: String) -> Bool { port(of: word) != nil }

    /// The port of an address `HOST:PORT`.
    public static func port(of address: String) -> Int? {
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
              let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        return port
    }
}

/// Why a registry message cannot be read.
public enum RegistryProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case unterminated
    case notPrintable
    case malformed(String)
    case unknown(String)

    public var description: String {
        switch self {
        case .empty: "an empty message"
        case .tooLong(let count): "a message of \(count) bytes (at most \(RegistryMessage.maxLength))"
        case .unterminated: "a message not ending in a newline"
        case .notPrintable: "a message with bytes that are not printable ASCII"
        case .malformed(let why): why
        case .unknown(let word): "an unknown message \"\(word.prefix(32))\""
        }
    }
}
