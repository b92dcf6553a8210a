import ArgumentParser
import CardTestBed
import PCSC
import SmartCard

/// `SCardTransmit` round trips through pcscd and vpcd to the simulator, with our PCSC layer.
struct APDURoundTrip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apdu-roundtrip",
        abstract: "Time SCardTransmit round trips: SELECT MF, then 256-byte READ BINARY of the certificate file.")

    @Option(help: "Timed round trips per series.") var count = 2000
    @Option(help: "Untimed round trips before each series.") var warmup = 100
    @OptionGroup var card: CardOptions

    func validate() throws {
        guard count > 0, warmup >= 0 else { throw ValidationError("--count must be positive and --warmup not negative") }
    }

    func run() async throws {
        printHeader("apdu-roundtrip")
        let (count, warmup) = (count, warmup)
        let (select, read) = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let connection = try CardConnection(context: PCSCContext(), reader: card.reader.name)
            defer { try? connection.disconnect() }
            // 00 A4 00 0C 02 3F 00: 7 bytes out, 90 00 back.
            let selectMF = CommandAPDU.select(p1: 0x00, p2: 0x0C, [0x3F, 0x00]).bytes
            let select = try Self.series(connection, selectMF, responseLength: 2, count: count, warmup: warmup)
            // 00 A4 08 0C 04 00 01 70 10 (3F00/0001/7010, CPS_CERT_AUT), then 00 B0 00 00 00:
            // 5 bytes out, 256 bytes + 90 00 back.
            let selectCertificate = CommandAPDU.select(p1: 0x08, p2: 0x0C, [0x00, 0x01, 0x70, 0x10]).bytes
            _ = try Self.checked(connection.transmit(selectCertificate), length: 2, for: selectCertificate)
            let readBinary = CommandAPDU.readBinary(offset: 0, count: 256).bytes
            let read = try Self.series(connection, readBinary, responseLength: 258, count: count, warmup: warmup)
            return (select, read)
        }
        print("SELECT MF          (7 B out, 2 B back):   \(select.summary)")
        print("READ BINARY 256 B  (5 B out, 258 B back): \(read.summary)")
    }

    /// `warmup` untimed then `count` timed transmissions of `command`.
    static func series(_ connection: CardConnection, _ command: [UInt8], responseLength: Int,
                       count: Int, warmup: Int) throws -> Samples {
        var samples = Samples()
        for i in 0..<(warmup + count) {
            let (response, elapsed) = try timed { try connection.transmit(command) }
            _ = try checked(response, length: responseLength, for: command)
            if i >= warmup { samples.append(elapsed) }
        }
        return samples
    }

    /// `response`, if it is `length` bytes ending in 90 00.
    static func checked(_ response: [UInt8], length: Int, for command: [UInt8]) throws -> [UInt8] {
        guard response.count == length, response.suffix(2) == [0x90, 0x00] else {
            throw BenchError("\(command.hexString) answered \(response.count) bytes ending \(response.suffix(2).hexString), expected \(length) ending 90 00")
        }
        return response
    }
}
