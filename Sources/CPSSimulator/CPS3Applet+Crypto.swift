import SmartCard

/// MSE SET, INTERNAL AUTHENTICATE, PSO DECIPHER and GET CHALLENGE.
extension CPS3Applet {
    /// MSE (`22`). `41 A4`: authentication template, `41 B8`: confidentiality template, each
    /// `84 01 <key>` (`82`) `80 01 <algorithm>` (`02` sign, `0A` decipher); `F3 xx`: restore
    /// (clears the environment). `41 B6` (DST) and `41 AA` (HT) name a key this card does not
    /// hold for those uses.
    mutating func manageSecurityEnvironment(_ command: CommandAPDU) -> ResponseAPDU {
        if command.p1 == 0xF3 {
            guard command.data.isEmpty else { return .status(.wrongLength) }
            state.environment = nil
            return .ok()
        }
        guard command.p1 == 0x41, [0xA4, 0xB8, 0xB6, 0xAA].contains(command.p2) else { return .status(.incorrectP1P2) }
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        guard let objects = try? BERTLV.parseAll(command.data) else { return .status(.incorrectData) }
        let keyReference = objects.first { $0.tag == 0x84 }?.value
        let algorithm = objects.first { $0.tag == 0x80 }?.value
        guard objects.allSatisfy({ [0x80, 0x83, 0x84, 0x95].contains($0.tag) }) else { return .status(.incorrectData) }
        switch command.p2 {
        case 0xA4, 0xB8:
            guard keyReference == [profile.authKeyReference] else { return .status(.referencedDataNotFound) }
            let decipher = command.p2 == 0xB8
            let expected = decipher ? profile.decipherAlgorithmReference : profile.signatureAlgorithmReference
            guard algorithm == nil || algorithm == [expected] else { return .status(.incorrectData) }
            state.environment = decipher ? .decipher(keyReference: profile.authKeyReference)
                                         : .authenticate(keyReference: profile.authKeyReference)
            return .ok()
        case 0xB6:
            // The authentication key is not a non-repudiation key (no CPS_PRIV_SIG here).
            return .status(keyReference == [profile.authKeyReference] ? .conditionsOfUseNotSatisfied : .referencedDataNotFound)
        default:
            return .status(.conditionsOfUseNotSatisfied)
        }
    }

    /// INTERNAL AUTHENTICATE (`88 00 00`): pads the input (a DigestInfo) as PKCS#1 v1.5 type 1
    /// and signs it with the key chosen by MSE SET. Needs the PIN (`69 82`), an authentication
    /// environment (`69 85`) and an input of at most 40% of the modulus (`67 00`).
    mutating func internalAuthenticate(_ command: CommandAPDU) -> (ResponseAPDU, CardEvent?) {
        guard command.p1 == 0x00, command.p2 == 0x00 else { return (.status(.incorrectP1P2), nil) }
        guard !command.data.isEmpty else { return (.status(.wrongLength), nil) }
        guard case .authenticate = state.environment else { return (.status(.conditionsOfUseNotSatisfied), nil) }
        guard state.pinVerified else { return (.status(.securityStatusNotSatisfied), nil) }
        let limit = Int(Double(key.modulusByteCount) * profile.maxSignatureInputRatio)
        guard command.data.count <= limit else { return (.status(.wrongLength), nil) }
        guard let signature = try? key.signPKCS1(command.data) else { return (.status(.executionError), nil) }
        return (respond(signature, ne: command.ne), .keyUsed)
    }

    /// PSO (`2A`). `80 86` DECIPHER: data `81 || cryptogram` (usually sent chained), needs the
    /// PIN and a confidentiality environment. `9E 9A` COMPUTE DIGITAL SIGNATURE: this card
    /// holds no non-repudiation key (`69 85`).
    mutating func performSecurityOperation(_ command: CommandAPDU) -> (ResponseAPDU, CardEvent?) {
        switch (command.p1, command.p2) {
        case (0x80, 0x86):
            guard command.data.count > 1 else { return (.status(.wrongLength), nil) }
            guard case .decipher = state.environment else { return (.status(.conditionsOfUseNotSatisfied), nil) }
            guard state.pinVerified else { return (.status(.securityStatusNotSatisfied), nil) }
            guard command.data[0] == 0x81 || command.data[0] == 0x00 else { return (.status(.incorrectData), nil) }
            let cryptogram = Array(command.data.dropFirst())
            guard cryptogram.count == key.modulusByteCount else { return (.status(.wrongLength), nil) }
            guard let plain = try? key.decryptPKCS1(cryptogram) else { return (.status(.incorrectData), nil) }
            return (respond(plain, ne: command.ne), .keyUsed)
        case (0x9E, 0x9A):
            return (.status(.conditionsOfUseNotSatisfied), nil)
        default:
            return (.status(.incorrectP1P2), nil)
        }
    }

    /// GET CHALLENGE (`84 00 00 08`): 8 random bytes, the only length IAS-ECC supports.
    mutating func getChallenge(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x00, command.p2 == 0x00 else { return .status(.incorrectP1P2) }
        guard command.data.isEmpty, command.ne == 8 else { return .status(.wrongLength) }
        var generator = SystemRandomNumberGenerator()
        return .ok((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
