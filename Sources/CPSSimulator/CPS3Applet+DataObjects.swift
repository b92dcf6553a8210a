import SmartCard

/// GET DATA (`CB 3F FF`) of IAS-ECC security data objects (SDOs).
extension CPS3Applet {
    /// SDO classes (the second byte of `BF xx yy`, without its local bit).
    enum SDOClass {
        static let pin: UInt8 = 0x01
        static let rsaPrivateKey: UInt8 = 0x10
        static let rsaPublicKey: UInt8 = 0x20
        static let securityEnvironment: UInt8 = 0x7B
    }

    /// GET DATA `00 CB 3F FF Lc 4D L 70 L BF <class> <ref> L <tag> 80`:
    /// - PIN, `A0`: its descriptor (tries maximum and left) — spends no try.
    /// - PIN, `7F41`: its length rules.
    /// - authentication key, `A0`: its access rules (INTERNAL AUTHENTICATE and DECIPHER after the PIN).
    /// - authentication key, `7F48`: `6A 86` (private parts are never readable).
    /// - security environment 1, `7B`: the PIN as its user-authentication template.
    mutating func getData(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x3F, command.p2 == 0xFF else { return .status(.incorrectP1P2) }
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        guard let request = SDORequest(command.data) else { return .status(.incorrectData) }
        let keyReference = profile.authKeyReference & 0x7F
        let children: [BERTLV]
        switch (request.sdoClass, request.reference, request.tag) {
        case (SDOClass.pin, profile.pinReference, 0xA0):
            children = [pinDescriptor]
        case (SDOClass.pin, profile.pinReference, 0x7F41):
            children = [pinPublicData]
        case (SDOClass.rsaPrivateKey, keyReference, 0xA0):
            children = [keyDescriptor]
        case (SDOClass.rsaPrivateKey, keyReference, 0x7F48):
            return .status(.incorrectP1P2)
        case (SDOClass.securityEnvironment, 0x01, 0x7B):
            children = [BERTLV(tag: 0x7B, children: [BERTLV(tag: 0xA4, children: [
                BERTLV(tag: 0x83, value: [profile.pinReference]),
                BERTLV(tag: 0x95, value: [0x08]),
            ])])]
        default:
            return .status(.referencedDataNotFound)
        }
        let header = UInt32(0xBF0000) | UInt32(request.sdoClass | 0x80) << 8 | UInt32(request.reference)
        let object = BERTLV(tag: header, children: children)
        // OpenSC parses a security environment only inside the `70` template.
        let answer = request.sdoClass == SDOClass.securityEnvironment ? BERTLV(tag: 0x70, children: [object]) : object
        return respond(answer.bytes, ne: command.ne)
    }

    /// The authentication key's descriptor: size in bits (`80`) and access rules (`A1 { 8C }`):
    /// PSO signature never, INTERNAL AUTHENTICATE and DECIPHER after user authentication (SE 1),
    /// GET DATA of public parts always.
    var keyDescriptor: BERTLV {
        BERTLV(tag: 0xA0, children: [
            BERTLV(tag: 0x80, value: UInt16(key.modulusByteCount * 8).bigEndianBytes),
            BERTLV(tag: 0xA1, children: [BERTLV(tag: 0x8C, value: [0x71, 0xFF, 0x11, 0x11, 0x00])]),
        ])
    }
}

/// A parsed IAS-ECC GET DATA selector `4D L 70 L BF <class|80> <ref> L <tag> 80`.
struct SDORequest: Hashable {
    var sdoClass: UInt8
    var reference: UInt8
    var tag: UInt16

    /// `nil` when the selector is malformed.
    init?(_ data: [UInt8]) {
        guard let (outer, used) = try? BERTLV.parse(data), used == data.count, outer.tag == 0x4D,
              let (template, inner) = try? BERTLV.parse(outer.value), inner == outer.value.count,
              template.tag == 0x70 else { return nil }
        let v = template.value
        guard v.count >= 6, v[0] == 0xBF, Int(v[3]) == v.count - 4, v.last == 0x80 else { return nil }
        let tagBytes = v[4..<(v.count - 1)]
        guard (1...2).contains(tagBytes.count) else { return nil }
        sdoClass = v[1] & 0x7F
        reference = v[2] & 0x1F
        tag = tagBytes.reduce(0) { $0 << 8 | UInt16($1) }
    }
}
