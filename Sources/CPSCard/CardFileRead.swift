import CPSIdentity
import Logging
import PCSC
import SmartCard
import Synchronization

/// The holder and PIN state of a CPx card read over a PC/SC connection of our own, with no
/// PKCS#11 module: what a status shows while the module is still loading after the daemon
/// starts (docs/ARCHITECTURE.md, "The daemon listens while OpenSC wakes up").
///
/// In one PC/SC transaction: the PIN's tries left (`CardPINQuery`'s SELECT MF and GET DATA),
/// then the card's PKCS#15 directory, as any PKCS#15 reader walks it: the ODF (`5031` in the
/// application's DF) names the certificate directory (CDF), whose entry labelled
/// `profile.certificateLabel` gives the certificate's file; that file is read to the length
/// its DER header gives. Nothing here needs a PIN or changes the card.
///
/// Only for the kinds whose profile names the PKCS#15 application's DF (CPS3); for any other,
/// or any answer that does not fit, `read` gives nil and the status waits for the module, as
/// it did before. The module's view of the card is not disturbed: it selects what it needs
/// before each use, as after `CardPINQuery`.
enum CardFileRead {
    struct Found: Sendable {
        var holder: HolderIdentity
        var pin: PINState?
    }

    /// Largest file read (a certificate is 1-2 KB; a directory file far less).
    static let maxFileSize = 8 * 1024
    /// Bytes asked for per READ BINARY: within the short-APDU limit of every IAS-ECC card.
    static let chunk = 0xE0

    /// `context`: the caller's PC/SC context (one per read by default).
    static func read(reader: String, profile: CardProfile, context: PCSCContext? = nil, logger: Logger) -> Found? {
        guard let application = profile.pkcs15ApplicationPath else { return nil }
        do {
            let connection = try CardConnection(context: context ?? PCSCContext(), reader: reader)
            defer { try? connection.disconnect(.leave) }
            return try connection.withTransaction { card -> Found? in
                let pin = CardPINQuery.triesLeft(card, profile: profile)
                guard let certificate = try certificateFile(card, application: application, label: profile.certificateLabel) else {
                    return nil
                }
                let holder = try HolderIdentity(certificateBytes: certificate)
                return Found(holder: holder, pin: pin)
            }
        } catch {
            logger.debug("holder not readable over PC/SC in \(reader): \(error)")
            return nil
        }
    }

    /// The DER of the certificate labelled `label`, found through the ODF and the CDF.
    static func certificateFile(_ card: CardConnection, application: [UInt8], label: String) throws -> [UInt8]? {
        guard let odf = try readFile(card, path: application + [0x50, 0x31]) else { return nil }
        for cdfPath in directoryPaths(odf, kind: 0xA4) {
            guard let cdf = try readFile(card, path: resolved(cdfPath, application: application)),
                  let certificatePath = certificatePath(cdf, label: label) else { continue }
            return try readFile(card, path: resolved(certificatePath, application: application), derLength: true)
        }
        return nil
    }

    /// The paths an ODF gives for directories of `kind` (`A4`: certificates). The file may end
    /// in padding (`00` or `FF`).
    static func directoryPaths(_ odf: [UInt8], kind: UInt32) -> [[UInt8]] {
        entries(odf).filter { $0.tag == kind }.compactMap { $0.find(0x04)?.value }
    }

    /// The path of the certificate labelled `label` in a CDF: the entry's common object
    /// attributes (`30 { 0C label ... }`), then its X.509 attributes (`A1 { 30 { 30 { 04 path } } }`).
    static func certificatePath(_ cdf: [UInt8], label: String) -> [UInt8]? {
        for entry in entries(cdf) where entry.tag == 0x30 {
            let parts = entry.children
            guard let common = parts.first, let text = common.child(0x0C),
                  String(decoding: text.value, as: UTF8.self) == label,
                  let path = entry.child(0xA1)?.find(0x04)?.value else { continue }
            return path
        }
        return nil
    }

    /// A PKCS#15 path as a path from the MF without `3F00` (SELECT with P1 `08`): an absolute
    /// path loses its `3F00`; a relative one is taken from the application's DF.
    static func resolved(_ path: [UInt8], application: [UInt8]) -> [UInt8] {
        if path.starts(with: [0x3F, 0x00]) { return Array(path.dropFirst(2)) }
        return application + path
    }

    /// The TLV objects of a directory file, up to its padding.
    static func entries(_ bytes: [UInt8]) -> [BERTLV] {
        var objects: [BERTLV] = []
        var rest = bytes[...]
        while let first = rest.first, first != 0x00, first != 0xFF {
            guard let (object, used) = try? BERTLV.parse(rest) else { break }
            objects.append(object)
            rest = rest.dropFirst(used)
        }
        return objects
    }

    /// SELECT of `path` (from the MF, no answer data), then READ BINARY until the end of the
    /// file, or until the DER object it holds is complete (`derLength`). Nil when the card
    /// refuses the SELECT or the first READ.
    static func readFile(_ card: CardConnection, path: [UInt8], derLength: Bool = false) throws -> [UInt8]? {
        let select = try ResponseAPDU(bytes: card.transmit(CommandAPDU.select(p1: 0x08, p2: 0x0C, path).bytes))
        guard select.status.isSuccess else { return nil }
        var content: [UInt8] = []
        var expected: Int?
        while content.count < (expected ?? maxFileSize) {
            let wanted = min(chunk, (expected ?? maxFileSize) - content.count)
            let answer = try ResponseAPDU(bytes: card.transmit(CommandAPDU.readBinary(offset: content.count, count: wanted).bytes))
            guard answer.status.isSuccess || answer.status == .endOfFileReached else {
                return content.isEmpty ? nil : content
            }
            content += answer.data
            if derLength, expected == nil, let length = derObjectLength(content) {
                guard length <= maxFileSize else { return nil }
                expected = length
            }
            if answer.data.count < wanted || answer.status == .endOfFileReached { break }
        }
        if let expected {
            guard content.count >= expected else { return nil }
            return Array(content.prefix(expected))
        }
        return content
    }

    /// The whole length (header included) of the DER object `bytes` starts with, once its
    /// header is there.
    static func derObjectLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let first = bytes[1]
        if first < 0x80 { return 2 + Int(first) }
        let count = Int(first & 0x7F)
        guard (1...3).contains(count), bytes.count >= 2 + count else { return nil }
        let length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
        return 2 + count + length
    }
}

/// What `CardFileRead` found of the cards present when the daemon started, read on the
/// module's loading thread just before the module is loaded (`CardService.init`).
///
/// Before, not beside: OpenSC's `C_Initialize` binds every card present in PC/SC transactions
/// of its own, and pcsc-lite makes a client that waits for another's transaction sleep in
/// steps of 100 ms, so reading while OpenSC binds cost a status up to 200 ms. Read first, on
/// the same thread, the two never meet, and the holders are known some milliseconds after
/// the start (the module follows as soon as the reads end).
///
/// Each result holds for its insertion only (reader, pcscd's event counter, ATR): a status
/// shows it until the module has loaded, then the card's session starts from it.
final class EarlyCardReads: Sendable {
    struct Read: Sendable {
        var counter: UInt16
        var atr: [UInt8]
        var found: CardFileRead.Found
    }

    private let reads = Mutex<[String: Read]>([:])
    private let done = SettledOnce<Void>()

    /// Done at once: nothing is read (no module to load, or a test's own).
    static func none() -> EarlyCardReads {
        let reads = EarlyCardReads()
        reads.finish()
        return reads
    }

    /// Reads every CPx card present whose profile allows it, then wakes who waits. Blocking:
    /// on the loading thread.
    func readCardsPresent(logger: Logger) {
        defer { finish() }
        do {
            let context = try PCSCContext()
            let states = try context.currentStates(of: context.listReaders())
            for reader in states where reader.flags.contains(.present) && !reader.atr.isEmpty {
                let presence = CardPresence(atr: reader.atr)
                guard presence.kind.canAuthenticate,
                      let found = CardFileRead.read(reader: reader.reader, profile: presence.profile, context: context, logger: logger)
                else { continue }
                reads.withLock { $0[reader.reader] = Read(counter: reader.eventCounter, atr: reader.atr, found: found) }
            }
        } catch {
            logger.debug("cards present at start not read over PC/SC: \(error)")
        }
    }

    /// What was read of the card in `snapshot`, if it is still that insertion.
    func found(for snapshot: ReaderSnapshot) -> CardFileRead.Found? {
        guard let card = snapshot.card else { return nil }
        return reads.withLock { reads in
            guard let read = reads[snapshot.name], read.counter == snapshot.eventCounter, read.atr == card.atr else { return nil }
            return read.found
        }
    }

    /// The same, given up: the card's session takes it (or the card has gone).
    func take(for snapshot: ReaderSnapshot) -> CardFileRead.Found? {
        let found = found(for: snapshot)
        _ = reads.withLock { $0.removeValue(forKey: snapshot.name) }
        return found
    }

    func forget(reader: String) {
        _ = reads.withLock { $0.removeValue(forKey: reader) }
    }

    func forgetAll() {
        reads.withLock { $0.removeAll() }
    }

    /// Waits until the reads at start are over (at once if they are, or if the task is
    /// cancelled).
    func wait() async {
        _ = await done.wait()
    }

    private func finish() {
        done.settle(())
    }
}
