import SmartCard

/// SELECT and READ BINARY.
extension CPS3Applet {
    /// SELECT (`A4`). P1: `00` FID (or the MF with no data), `01` child DF, `02` EF in the
    /// current DF, `03` parent DF, `04` DF name, `08` path from the MF, `09` path from the
    /// current DF. A path that starts with `3F00` is taken from the MF, as OpenSC sends it,
    /// and `3F00` names the MF with P1=`01`/`02` too (OpenSC selects the MF so).
    /// P2: `00` FCI, `04` FCP, `0C` no data.
    mutating func select(_ command: CommandAPDU) -> ResponseAPDU {
        guard [0x00, 0x04, 0x0C].contains(command.p2) else { return .status(.incorrectP1P2) }
        let data = command.data
        let target: CardPath?
        switch command.p1 {
        case 0x00:
            if data.isEmpty { target = []; break }
            guard data.count == 2 else { return .status(.lengthInconsistentWithP1P2) }
            target = files.resolve(fid: fid(data, 0), from: state.currentDF)
        case 0x01, 0x02:
            guard data.count == 2 else { return .status(.lengthInconsistentWithP1P2) }
            if fid(data, 0) == CardFileSystem.mfFID {
                // OpenSC selects the MF with P1=02 before reading PIN data: CPS3 cards accept it.
                target = []
                break
            }
            let path = files.child(fid(data, 0), of: state.currentDF)
            let wantDF = command.p1 == 0x01
            target = path.flatMap { files[$0]?.isDF == wantDF ? $0 : nil }
        case 0x03:
            guard data.isEmpty else { return .status(.lengthInconsistentWithP1P2) }
            target = state.currentDF.isEmpty ? nil : Array(state.currentDF.dropLast())
        case 0x04:
            guard (1...16).contains(data.count) else { return .status(.lengthInconsistentWithP1P2) }
            target = files.df(named: data)
        case 0x08, 0x09:
            guard !data.isEmpty, data.count % 2 == 0 else { return .status(.lengthInconsistentWithP1P2) }
            let fids = stride(from: 0, to: data.count, by: 2).map { fid(data, $0) }
            if command.p1 == 0x08, fids.first != CardFileSystem.mfFID {
                target = files.resolve(path: fids, from: [])
            } else {
                target = files.resolve(path: fids, from: state.currentDF)
            }
        default:
            return .status(.incorrectP1P2)
        }
        guard let path = target, let file = files[path] else { return .status(.fileNotFound) }
        if file.isDF {
            state.currentDF = path
            state.currentEF = nil
        } else {
            state.currentDF = Array(path.dropLast())
            state.currentEF = path
        }
        switch command.p2 {
        case 0x04: return .ok(file.fcp)
        case 0x00: return .ok(BERTLV(tag: 0x6F, value: Array(file.fcp.dropFirst(2))).bytes)
        default: return .ok()
        }
    }

    /// READ BINARY (`B0`) of the current EF at a 15-bit offset, or of the EF with the SFI in
    /// P1 (`1xxxxxxx`) at the offset in P2, which then becomes the current EF.
    mutating func readBinary(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.data.isEmpty, let ne = command.ne else { return .status(.wrongLength) }
        let path: CardPath
        let offset: Int
        if command.p1 & 0x80 != 0 {
            let sfi = command.p1 & 0x1F
            guard command.p1 & 0x60 == 0, (1...30).contains(sfi) else { return .status(.incorrectP1P2) }
            guard let found = files.ef(sfi: sfi, in: state.currentDF) else { return .status(.fileNotFound) }
            path = found
            offset = Int(command.p2)
            state.currentEF = found
        } else {
            guard let current = state.currentEF else { return .status(.commandNotAllowed) }
            path = current
            offset = Int(command.p1) << 8 | Int(command.p2)
        }
        guard let file = files[path], !file.isDF else { return .status(.incompatibleFileStructure) }
        guard offset < file.content.count else { return .status(.wrongParameters) }
        let end = min(file.content.count, offset + ne)
        let chunk = Array(file.content[offset..<end])
        return ResponseAPDU(data: chunk, status: chunk.count < ne ? .endOfFileReached : .success)
    }

    private func fid(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }
}
