import ArgumentParser
import BridgeProtocol
import Foundation

/// The WebSocket's JSON, in process: the Codable path (`JSONDecoder`, `JSONEncoder` through
/// `WireJSON`) against the direct one (`ClientMessage.decodeFast`, `JSONWriter`), interleaved
/// batch by batch in one run so that both see the same machine.
struct WireCodec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Time decoding a status request and writing a status answer, a card event and a login result: Codable vs direct.")

    @Option(help: "Timed operations per path and case.") var rounds = 100_000
    @Option(help: "Operations per timed batch (a sample is a batch's time divided by this).") var batch = 100

    func validate() throws {
        guard rounds >= batch, batch > 0 else { throw ValidationError("--rounds must be at least --batch, and --batch positive") }
    }

    /// One case: its name and its two paths, each returning a byte count (kept, so that
    /// nothing is optimised away).
    struct Case {
        let name: String
        let old: (Int) -> Int
        let new: (Int) -> Int
    }

    func run() async throws {
        printHeader("wire")
        print("per operation, microseconds; \(rounds) operations per path in batches of \(batch), old and new batches interleaved")
        print("case                               old median   new median   old/new")
        var sink = 0
        for item in Self.cases() {
            var old = Samples(), new = Samples()
            for i in 0..<(batch * 10) { sink &+= item.old(i) &+ item.new(i) } // warm-up
            for _ in 0..<(rounds / batch) {
                let (a, oldTime) = timed { (0..<batch).reduce(0) { $0 &+ item.old($1) } }
                let (b, newTime) = timed { (0..<batch).reduce(0) { $0 &+ item.new($1) } }
                sink &+= a &+ b
                old.append(milliseconds: Self.milliseconds(oldTime) / Double(batch))
                new.append(milliseconds: Self.milliseconds(newTime) / Double(batch))
            }
            let line = item.name.padding(toLength: 34, withPad: " ", startingAt: 0)
            print("\(line) \(Self.micro(old.median))     \(Self.micro(new.median))     \(String(format: "%.1f", old.median / new.median))x")
        }
        print("(checksum \(sink))")
    }

    /// The cases, on messages of the daemon's usual sizes.
    static func cases() -> [Case] {
        let ids = (0..<64).map { String(900 + $0) }
        let requests = ids.map { #"{"v":1,"type":"status","id":"\#($0)"}"# }
        let holder = HolderSummary(nationalId: "899700012345", nationalIdType: "rpps", rpps: "99700012345",
                                   familyName: "TEST-CPS", givenName: "CAMILLE", profession: "Médecin")
        let card = CardInfo(kind: .cps3, pin: .init(state: .ok, triesLeft: 3, maxTries: 3), holder: holder)
        let readers = [ReaderInfo(name: "Virtual PCD 00 00", card: card), ReaderInfo(name: "Virtual PCD 00 01", card: nil)]
        let event = ServerMessage.event(ReaderEvent(.cardInserted, reader: "Virtual PCD 00 00", card: card))
        let token = AuthenticationToken(unverifiedCertificate: String(repeating: "MIIF", count: 480),
                                        signature: String(repeating: "jNj1", count: 86) + "AA==",
                                        appVersion: AuthenticationToken.appVersionURL(version: "0.1.0"))
        let result = ServerMessage.authenticated(id: "7", AuthenticationResult(token: token, holder: holder))
        func status(_ i: Int) -> ServerMessage { .status(id: ids[i & 63], readers: readers) }
        return [
            Case(name: "decode status request",
                 old: { i in (try? ClientMessage.decodeWithJSONDecoder(from: Data(requests[i & 63].utf8)))?.id.utf8.count ?? 0 },
                 new: { i in (try? ClientMessage.decode(from: requests[i & 63]))?.id.utf8.count ?? 0 }),
            // What the daemon sends: spliced from the text kept for the same readers.
            Case(name: "status answer, 2 readers",
                 old: { i in String(decoding: WireJSON.encode(status(i)), as: UTF8.self).utf8.count },
                 new: { i in status(i).jsonText().utf8.count }),
            // The whole message written each time (a status whose readers just changed).
            Case(name: "  written whole, no cache",
                 old: { i in String(decoding: WireJSON.encode(status(i)), as: UTF8.self).utf8.count },
                 new: { i in String(decoding: status(i).jsonBytes(), as: UTF8.self).utf8.count }),
            Case(name: "card event",
                 old: { _ in String(decoding: WireJSON.encode(event), as: UTF8.self).utf8.count },
                 new: { _ in event.jsonText().utf8.count }),
            Case(name: "authentication result",
                 old: { _ in String(decoding: WireJSON.encode(result), as: UTF8.self).utf8.count },
                 new: { _ in result.jsonText().utf8.count }),
        ]
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }

    /// Microseconds from milliseconds, `  12.345`.
    static func micro(_ milliseconds: Double) -> String {
        String(format: "%8.3f", milliseconds * 1000)
    }
}
