import CPSSimulator
import Foundation
import SmartCard

/// Credentials made once per test run (RSA key generation is the slow part); each test
/// gets a fresh card built from them.
enum Fixture {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "cps-sim-tests-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }()

    static let holder = HolderIdentity()

    static let credentials: CardCredentials = {
        do { return try CardCredentials.loadOrCreate(in: directory, holder: holder) } catch {
            fatalError("cannot create test credentials: \(error)")
        }
    }()

    /// A fresh card: PIN 1234, `tries` left.
    static func card(tries: Int = 3) throws -> CPS3Card {
        try CPS3Card(credentials: credentials, pin: PINCode(digits: "1234")!, triesLeft: tries)
    }
}

extension CPS3Card {
    /// Sends hex, returns the response.
    func send(_ hex: String) throws -> ResponseAPDU {
        try ResponseAPDU(bytes: transmit([UInt8](hex: hex)!))
    }

    func send(_ command: CommandAPDU) throws -> ResponseAPDU {
        try ResponseAPDU(bytes: transmit(command.bytes))
    }
}

/// `1234` as OpenSC sends it: ASCII, padded with `FF` to 8 bytes.
let rightPIN: [UInt8] = Array("1234".utf8) + [0xFF, 0xFF, 0xFF, 0xFF]
let wrongPIN: [UInt8] = Array("9999".utf8) + [0xFF, 0xFF, 0xFF, 0xFF]
