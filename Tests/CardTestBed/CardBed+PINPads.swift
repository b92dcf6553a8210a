import Foundation

extension CardBed {
    /// Writes a reader.conf entry for each simulated PIN-pad reader into `directory/readers`:
    /// `cps-pinpad-ifd` (built by the package next to the executables) with its keypad socket
    /// in the bed's folder and the card on its own port.
    ///
    /// One loaded copy of the handler serves every entry (it keeps its state per reader), so
    /// unlike vpcd's driver it is not copied per reader.
    /// - Returns: the readers, named by their friendly name (pcscd adds "<index> <slot>"), or
    ///   none and why when the handler was not built.
    static func configurePINPads(in directory: URL, firstPort: Int) throws -> (readers: [BedReader], problem: String?) {
        let driver = TestEnvironment.pinPadDriverPath
        guard FileManager.default.fileExists(atPath: driver) else {
            return ([], "the PIN-pad reader's handler is not built at \(driver) (run `swift build`)")
        }
        var readers: [BedReader] = []
        for i in 0..<pinPadCount {
            let letter = String(UnicodeScalar(UInt8(65 + i)))
            let name = "CPS PIN Pad \(letter)"
            let port = firstPort + i
            let keypad = directory.appendingPathComponent("keypad-\(letter).sock").path
            let conf = "FRIENDLYNAME \"\(name)\"\nDEVICENAME \(keypad):0x\(String(port, radix: 16))\nLIBPATH \(driver)\n"
            try conf.write(to: directory.appendingPathComponent("readers/pinpad-\(letter)"), atomically: true, encoding: .utf8)
            readers.append(BedReader(name: name, port: port, keypadSocketPath: keypad))
        }
        return (readers, nil)
    }

    /// The log of the bed's pcscd, where the PIN-pad handler writes too.
    public var pcscdLogPath: String { directory.appendingPathComponent("pcscd.log").path }
}
