/// An ISO 7816-4 command APDU: the header, an optional body and an optional expected length.
///
/// Values only, no I/O. Encodes and parses short and extended forms (cases 1 to 4).
public struct CommandAPDU: Hashable, Sendable {
    public var cla: UInt8
    public var ins: UInt8
    public var p1: UInt8
    public var p2: UInt8
    /// The command data field (Nc bytes); empty when absent.
    public var data: [UInt8]
    /// The expected response length (Ne): `nil` when absent, 256 (short) or 65536 (extended)
    /// for "as many as available" (Le = `00`).
    public var ne: Int?

    public init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], ne: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.ne = ne
    }

    /// Whether the encoding needs the extended length form.
    public var isExtended: Bool { data.count > 255 || (ne ?? 0) > 256 }

    /// The wire bytes, in the shortest form that holds the data and Ne.
    public var bytes: [UInt8] {
        var out: [UInt8] = [cla, ins, p1, p2]
        if isExtended {
            if !data.isEmpty {
                out += [0x00, UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
            }
            if let ne {
                let le = ne >= 65536 ? 0 : ne
                if data.isEmpty { out.append(0x00) }
                out += [UInt8(le >> 8), UInt8(le & 0xFF)]
            }
        } else {
            if !data.isEmpty { out += [UInt8(data.count)] + data }
            if let ne { out.append(ne >= 256 ? 0x00 : UInt8(ne)) }
        }
        return out
    }

    /// Parses wire bytes. Throws `APDUFormatError` for anything that is not one of the
    /// ISO 7816-4 cases (the card answers such a command with `67 00`).
    public init(bytes: [UInt8]) throws(APDUFormatError) {
        guard bytes.count >= 4 else { throw .tooShort(bytes.count) }
        cla = bytes[0]; ins = bytes[1]; p1 = bytes[2]; p2 = bytes[3]
        let body = bytes[4...]
        data = []
        ne = nil
        switch body.count {
        case 0:
            return // case 1
        case 1:
            let le = Int(body[body.startIndex]) // case 2 short
            ne = le == 0 ? 256 : le
            return
        default:
            break
        }
        let b0 = Int(body[body.startIndex])
        if b0 != 0 {
            // Short form: Lc data [Le]
            let lc = b0
            let rest = body.count - 1
            if rest == lc {
                data = Array(body.dropFirst()) // case 3 short
            } else if rest == lc + 1 {
                data = Array(body.dropFirst().prefix(lc)) // case 4 short
                let le = Int(body.last!)
                ne = le == 0 ? 256 : le
            } else {
                throw .lengthMismatch(declared: lc, actual: rest)
            }
            return
        }
        // Extended form: 00 then two bytes.
        guard body.count >= 3 else { throw .lengthMismatch(declared: 0, actual: body.count - 1) }
        let n = Int(body[body.startIndex + 1]) << 8 | Int(body[body.startIndex + 2])
        if body.count == 3 {
            ne = n == 0 ? 65536 : n // case 2 extended
            return
        }
        let lc = n
        guard lc > 0 else { throw .lengthMismatch(declared: 0, actual: body.count - 3) }
        let rest = body.count - 3
        if rest == lc {
            data = Array(body.dropFirst(3)) // case 3 extended
        } else if rest == lc + 2 {
            data = Array(body.dropFirst(3).prefix(lc)) // case 4 extended
            let le = Int(body[body.endIndex - 2]) << 8 | Int(body[body.endIndex - 1])
            ne = le == 0 ? 65536 : le
        } else {
            throw .lengthMismatch(declared: lc, actual: rest)
        }
    }
}

/// Why bytes are not a command APDU.
public enum APDUFormatError: Error, Hashable, Sendable {
    /// Fewer than the four header bytes.
    case tooShort(Int)
    /// Lc says one length and the body holds another.
    case lengthMismatch(declared: Int, actual: Int)
}

extension CommandAPDU: CustomStringConvertible {
    public var description: String { bytes.hexString }
}
