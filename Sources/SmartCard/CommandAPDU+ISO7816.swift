/// ISO 7816-4 and IAS-ECC command factories used by the card layers and the tests.
extension CommandAPDU {
    /// SELECT by file identifier or path.
    /// - Parameters:
    ///   - p1: `00` by FID, `04` by AID, `08` path from the MF, `09` path from the current DF.
    ///   - p2: `00`/`04` (FCI/FCP) or `0C` (no response data).
    public static func select(p1: UInt8, p2: UInt8 = 0x04, _ value: [UInt8], ne: Int? = nil) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: p1, p2: p2, data: value, ne: ne)
    }

    /// SELECT an application by its AID.
    public static func selectApplication(_ aid: [UInt8]) -> CommandAPDU {
        select(p1: 0x04, p2: 0x04, aid, ne: 256)
    }

    /// READ BINARY of the current EF at `offset` (15 bits).
    public static func readBinary(offset: Int, count: Int) -> CommandAPDU {
        CommandAPDU(ins: 0xB0, p1: UInt8((offset >> 8) & 0x7F), p2: UInt8(offset & 0xFF), ne: count)
    }

    /// READ BINARY of the EF with short file identifier `sfi` (1-30) at `offset` (0-255).
    public static func readBinary(sfi: UInt8, offset: UInt8 = 0, count: Int) -> CommandAPDU {
        CommandAPDU(ins: 0xB0, p1: 0x80 | (sfi & 0x1F), p2: offset, ne: count)
    }

    /// VERIFY the PIN with reference `reference`; with no PIN it asks for the PIN's state
    /// (`63 Cx`, `90 00` or `69 83`) without spending a try.
    public static func verify(reference: UInt8, pin: [UInt8]? = nil) -> CommandAPDU {
        CommandAPDU(ins: 0x20, p1: 0x00, p2: reference, data: pin ?? [])
    }

    /// GET CHALLENGE of `count` random bytes.
    public static func getChallenge(count: Int = 8) -> CommandAPDU {
        CommandAPDU(ins: 0x84, p1: 0x00, p2: 0x00, ne: count)
    }

    /// GET DATA with odd INS (`CB`) under `3F FF`, as IAS-ECC reads data objects.
    public static func getDataObject(_ selector: [UInt8], ne: Int = 256) -> CommandAPDU {
        CommandAPDU(ins: 0xCB, p1: 0x3F, p2: 0xFF, data: selector, ne: ne)
    }

    /// The IAS-ECC GET DATA that reads a PIN's tries left without spending one
    /// (`4D 08 70 06 BF 81 <ref> 02 A0 80`).
    public static func pinTriesLeft(reference: UInt8) -> CommandAPDU {
        getDataObject([0x4D, 0x08, 0x70, 0x06, 0xBF, 0x81, reference, 0x02, 0xA0, 0x80])
    }

    /// The IAS-ECC GET DATA of one part of a security data object (SDO):
    /// `4D 70 { BF <class|80> <reference> { <tag> 80 } }`.
    /// - Parameters:
    ///   - sdoClass: `01` PIN (CHV), `10` RSA private key, `20` RSA public key, `7B` security environment.
    ///   - reference: the object's reference without the local bit (`01` for the user PIN, `02` for key `82`).
    ///   - tag: the part asked for: `A0` (DOCP: access rules, tries), `7F41` (PIN lengths), `7F48`, `7F49`, `7B`.
    public static func getSecurityDataObject(sdoClass: UInt8, reference: UInt8, tag: UInt16) -> CommandAPDU {
        let tagBytes: [UInt8] = tag > 0xFF ? [UInt8(tag >> 8), UInt8(tag & 0xFF)] : [UInt8(tag)]
        let header: [UInt8] = [0xBF, sdoClass | 0x80, reference & 0x1F, UInt8(tagBytes.count + 1)] + tagBytes + [0x80]
        let template: [UInt8] = [0x70, UInt8(header.count)] + header
        return getDataObject([0x4D, UInt8(template.count)] + template)
    }

    /// MSE SET for authentication (`41 A4`) with a key reference and algorithm reference.
    public static func mseSetAuthentication(keyReference: UInt8, algorithm: UInt8 = 0x02) -> CommandAPDU {
        CommandAPDU(ins: 0x22, p1: 0x41, p2: 0xA4, data: [0x84, 0x01, keyReference, 0x80, 0x01, algorithm])
    }

    /// INTERNAL AUTHENTICATE over `input` (a DigestInfo for an RSA key: the card pads and signs).
    public static func internalAuthenticate(_ input: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x88, p1: 0x00, p2: 0x00, data: input, ne: 256)
    }

    /// GET RESPONSE for `count` bytes left after `61 xx`.
    public static func getResponse(count: Int) -> CommandAPDU {
        CommandAPDU(ins: 0xC0, p1: 0x00, p2: 0x00, ne: count)
    }
}
