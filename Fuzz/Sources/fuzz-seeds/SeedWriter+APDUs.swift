import CPSSimulator
import Foundation
import SmartCard

extension SeedWriter {
    /// What a CPS3 session sends and answers (the simulated card's real responses: FCPs,
    /// PKCS#15 files, security data objects), each command and response a seed, and near misses.
    func writeAPDUs(card credentials: CardCredentials) throws {
        let card = try CPS3Card(credentials: credentials, pin: PINCode(digits: "1234")!)
        for (name, hex) in Self.loginSession + Self.readSession {
            let command = [UInt8](hex: hex)!
            try write(command, "corpus/fuzz-apdu/command-\(name)")
            let response = card.exchange(command).response
            if response.count > 2 { try write(response, "corpus/fuzz-apdu/response-\(name)") }
        }
        try write([0x90, 0x00], "corpus/fuzz-apdu/response-ok")
        try write([UInt8](hex: "00 2A 80 86 00 01 01 81 " + String(repeating: "55 ", count: 256) + "01 00")!,
                  "corpus/fuzz-apdu/command-extended-case4")
        try write([UInt8](hex: "00 B0 00 00 00 01 00")!, "corpus/fuzz-apdu/command-extended-case2")
        try write([UInt8](hex: "5F 2D 02 66 72 BF 81 01 05 A0 03 80 01 08 00 FF")!, "corpus/fuzz-apdu/tlv-padded")
        // A PIN pad reader's answer to CM_IOCTL_GET_FEATURE_REQUEST (verify, modify, properties, TLV properties).
        try write([UInt8](hex: "06 04 42 33 00 06 07 04 42 33 00 07 0A 04 42 33 00 0A 12 04 42 33 00 12")!,
                  "corpus/fuzz-apdu/reader-features")
        try write([UInt8](hex: "70 80 01 02 00 00")!, "corpus/fuzz-apdu/near-indefinite-length")
        try write([UInt8](hex: "00 A4 04 00 05 E8 28")!, "corpus/fuzz-apdu/near-short-lc")
    }

    /// Sessions of the fuzz-card-sim target: commands, each preceded by its length on two bytes.
    func writeCardSessions() throws {
        let sessions: [String: [(String, String)]] = [
            "login": Self.loginSession,
            "read-certificate": Self.readSession,
            "wrong-pin-then-right": [Self.loginSession[0], ("verify-wrong", "00 20 00 01 08 39 39 39 39 FF FF FF FF"),
                                     ("tries", "00 20 00 01")] + Self.loginSession.dropFirst(),
            "decipher-chained": [
                Self.loginSession[0], Self.loginSession[1], ("mse-decipher", "00 22 41 B8 06 84 01 82 80 01 0A"),
                ("pso-first", "10 2A 80 86 C8 81 " + String(repeating: "42 ", count: 199)),
                ("pso-last", "00 2A 80 86 39 " + String(repeating: "42 ", count: 57) + "00"),
            ],
            "get-response": [Self.loginSession[0], Self.loginSession[1], Self.loginSession[2],
                             ("internal-authenticate-short-le", "00 88 00 00 33 " + Self.digestInfo + " 80"),
                             ("get-response", "00 C0 00 00 80")],
            "malformed": [("short", "00 A4"), ("lc-mismatch", "00 A4 00 00 05 3F 00"), ("class", "0C B0 00 00 10"),
                          ("get-data-broken", "00 CB 3F FF 03 01 02 03 00"), ("challenge", "00 84 00 00 08")],
        ]
        for (name, commands) in sessions {
            var bytes: [UInt8] = []
            for (_, hex) in commands {
                let command = [UInt8](hex: hex)!
                bytes += [UInt8(command.count >> 8), UInt8(command.count & 0xFF)] + command
            }
            try write(bytes, "corpus/fuzz-card-sim/\(name)")
        }
    }

    /// SHA-256 DigestInfo of 32 bytes `11`.
    static let digestInfo = "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 " + String(repeating: "11 ", count: 32)

    /// What OpenSC sends for a login: select the application, PIN state, VERIFY, MSE SET,
    /// INTERNAL AUTHENTICATE.
    static let loginSession: [(String, String)] = [
        ("select-application", "00 A4 04 00 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10 00"),
        ("verify", "00 20 00 01 08 31 32 33 34 FF FF FF FF"),
        ("mse-authenticate", "00 22 41 A4 06 84 01 82 80 01 02"),
        ("internal-authenticate", "00 88 00 00 33 " + digestInfo + " 00"),
        ("pin-state", "00 CB 3F FF 0A 4D 08 70 06 BF 81 01 02 A0 80 00"),
        ("key-sdo", "00 CB 3F FF 0A 4D 08 70 06 BF 90 02 02 A0 80 00"),
        ("challenge", "00 84 00 00 08"),
    ]

    /// What OpenSC sends to read the card: EF.DIR, EF.SN.ICC, the PKCS#15 files, the certificate.
    static let readSession: [(String, String)] = [
        ("select-mf", "00 A4 00 0C 02 3F 00"),
        ("read-dir-sfi", "00 B0 9E 00 00"),
        ("read-serial-sfi", "00 B0 9C 00 00"),
        ("select-odf", "00 A4 09 04 06 3F 00 00 01 50 31 00"),
        ("read-odf", "00 B0 00 00 00"),
        ("select-tokeninfo", "00 A4 09 04 06 3F 00 00 01 50 32 00"),
        ("read-tokeninfo", "00 B0 00 00 00"),
        ("select-prkdf", "00 A4 09 04 06 3F 00 00 01 70 02 00"),
        ("read-prkdf", "00 B0 00 00 00"),
        ("select-certificate", "00 A4 09 04 06 3F 00 00 01 70 10 00"),
        ("read-certificate", "00 B0 00 00 00"),
        ("read-certificate-next", "00 B0 01 00 00"),
    ]
}
