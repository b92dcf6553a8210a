import SmartCard

/// A path from the MF, as file identifiers without the MF's own `3F00` (the MF is `[]`).
public typealias CardPath = [UInt16]

/// One file of the simulated card: a DF (the MF or an application) or a transparent EF.
public struct CardFile: Sendable, Hashable {
    public var fid: UInt16
    public var isDF: Bool
    /// DF name (AID) of an application DF.
    public var aid: [UInt8]?
    /// Short file identifier of an EF (1-30).
    public var sfi: UInt8?
    /// The bytes of an EF.
    public var content: [UInt8]

    public static func df(_ fid: UInt16, aid: [UInt8]? = nil) -> CardFile {
        CardFile(fid: fid, isDF: true, aid: aid, sfi: nil, content: [])
    }

    public static func ef(_ fid: UInt16, sfi: UInt8? = nil, _ content: [UInt8]) -> CardFile {
        CardFile(fid: fid, isDF: false, aid: nil, sfi: sfi, content: content)
    }

    /// The file control parameters (`62 ...`) returned by SELECT with P2=04.
    ///
    /// Every FCP carries an IAS-ECC access-rule entry `A1 { 8C AM SCB... }`: OpenSC refuses
    /// files without one. EFs: UPDATE never, READ always. DFs: CREATE never.
    public var fcp: [UInt8] {
        var fields: [BERTLV] = []
        if isDF {
            fields.append(BERTLV(tag: 0x82, value: [0x38]))
            fields.append(BERTLV(tag: 0x83, value: fid.bigEndianBytes))
            if let aid { fields.append(BERTLV(tag: 0x84, value: aid)) }
            fields.append(BERTLV(tag: 0x8A, value: [0x05]))
            fields.append(BERTLV(tag: 0xA1, children: [BERTLV(tag: 0x8C, value: [0x02, 0xFF])]))
        } else {
            fields.append(BERTLV(tag: 0x80, value: UInt16(content.count).bigEndianBytes))
            fields.append(BERTLV(tag: 0x82, value: [0x01]))
            fields.append(BERTLV(tag: 0x83, value: fid.bigEndianBytes))
            if let sfi { fields.append(BERTLV(tag: 0x88, value: [sfi << 3])) }
            fields.append(BERTLV(tag: 0x8A, value: [0x05]))
            fields.append(BERTLV(tag: 0xA1, children: [BERTLV(tag: 0x8C, value: [0x03, 0xFF, 0x00])]))
        }
        return BERTLV(tag: 0x62, children: fields).bytes
    }
}

/// The card's files, addressed by path from the MF. Immutable once built: the simulated
/// card never writes to its files.
public struct CardFileSystem: Sendable {
    public static let mfFID: UInt16 = 0x3F00
    private var files: [CardPath: CardFile]

    /// A file system holding only the MF.
    public init() {
        files = [[]: .df(CardFileSystem.mfFID)]
    }

    /// Adds `file` under the DF at `parent` (which must exist).
    public mutating func add(_ file: CardFile, under parent: CardPath = []) {
        precondition(files[parent]?.isDF == true, "parent DF must exist")
        files[parent + [file.fid]] = file
    }

    public subscript(path: CardPath) -> CardFile? { files[path] }

    /// The file with `fid` directly under the DF at `df`.
    public func child(_ fid: UInt16, of df: CardPath) -> CardPath? {
        files[df + [fid]] != nil ? df + [fid] : nil
    }

    /// Resolves a SELECT by file identifier the ISO way: the MF, a child of the current
    /// DF, the current DF's parent, or a sibling of the current DF.
    public func resolve(fid: UInt16, from currentDF: CardPath) -> CardPath? {
        if fid == CardFileSystem.mfFID { return [] }
        if let path = child(fid, of: currentDF) { return path }
        guard !currentDF.isEmpty else { return nil }
        let parent = Array(currentDF.dropLast())
        if parent.last == fid || (parent.isEmpty && fid == CardFileSystem.mfFID) { return parent }
        return child(fid, of: parent)
    }

    /// Resolves a path of file identifiers starting at `start`; a leading `3F00` means the MF.
    public func resolve(path fids: [UInt16], from start: CardPath) -> CardPath? {
        var fids = fids[...]
        var current = start
        if fids.first == CardFileSystem.mfFID {
            current = []
            fids = fids.dropFirst()
        }
        for fid in fids {
            guard files[current]?.isDF == true, let next = child(fid, of: current) else { return nil }
            current = next
        }
        return current
    }

    /// The application DF whose name is `aid`.
    public func df(named aid: [UInt8]) -> CardPath? {
        files.first { $0.value.isDF && $0.value.aid == aid }?.key
    }

    /// The EF with short identifier `sfi` in the current DF, else in the MF.
    public func ef(sfi: UInt8, in currentDF: CardPath) -> CardPath? {
        for df in [currentDF, []] {
            if let hit = files.first(where: { $0.key.count == df.count + 1 && $0.key.starts(with: df) && $0.value.sfi == sfi }) {
                return hit.key
            }
        }
        return nil
    }
}

extension UInt16 {
    /// The two bytes, most significant first.
    var bigEndianBytes: [UInt8] { [UInt8(self >> 8), UInt8(self & 0xFF)] }
}
