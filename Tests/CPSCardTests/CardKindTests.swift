@testable import CPSCard
import PINEntry
import Foundation
import Testing

@Suite struct CardKindTests {
    @Test(arguments: [
        ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00", CardKind.cps3),
        // Another CPS3 mask fit: only the masked-out bytes differ.
        ("3B 8C 01 41 2B 00 12 25 00 64 80 01 04 11 00 90 00", .cps3),
        // Legacy CPS2ter fits the CPS3 mask: exact ATRs come first, so it is not a CPS3.
        ("3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00", .cps2ter),
        ("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E", .cps3Contactless),
        ("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44", .cps4),
        ("3B 9B 96 80 01 00 12 25 00 64 80 04 02 00 00 90 1F", .cps4),
        ("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A", .unknown),
        ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90", .unknown), // 16 bytes
        ("", .unknown),
    ])
    func kindFromATR(atr: String, kind: CardKind) {
        let bytes = atr.split(separator: " ").map { UInt8($0, radix: 16)! }
        #expect(CardKindTable.kind(of: bytes) == kind)
    }

    @Test func exactPatternsComeBeforeMasks() {
        let firstMasked = CardKindTable.patterns.firstIndex { !$0.isExact }!
        #expect(CardKindTable.patterns[firstMasked...].allSatisfy { !$0.isExact })
    }

    @Test func onlyContactCPS3AndCPS4CanAuthenticate() {
        #expect(CardKind.allCases.filter(\.canAuthenticate) == [.cps3, .cps4])
        #expect(CardKind.cps2ter.unsupportedReason != nil)
    }
}

@Suite struct SecretPINTests {
    @Test func neverPrintsItsValue() {
        let pin = SecretPIN(utf8: "918273")
        #expect("\(pin)" == "<redacted>")
        #expect(String(reflecting: pin) == "<redacted>")
        #expect(pin.withBytes { Array($0) } == Array("918273".utf8))
    }

    /// The kernel's own view (/proc/self/smaps): the PIN's page is marked "dd" (do not dump).
    @Test func itsMemoryIsLeftOutOfCoreDumps() throws {
        let pin = SecretPIN(utf8: "918273")
        #expect(pin.isExcludedFromCoreDumps)
        let address = pin.withBytes { UInt(bitPattern: $0.baseAddress) }
        // procfs files report size 0: read them to the end rather than by their size.
        let smaps = String(decoding: try #require(try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps")).readToEnd()), as: UTF8.self)
        var inside = false
        var flags: String?
        for line in smaps.split(separator: "\n") {
            let first = line.split(separator: " ").first ?? ""
            if first.contains("-"), let dash = first.firstIndex(of: "-"),
               let start = UInt(first[..<dash], radix: 16), let end = UInt(first[first.index(after: dash)...], radix: 16) {
                inside = (start..<end).contains(address)
            } else if inside, line.hasPrefix("VmFlags:") {
                flags = String(line)
                break
            }
        }
        let found = try #require(flags, "the PIN's mapping is not in /proc/self/smaps")
        #expect(found.split(separator: " ").contains("dd"), "\(found)")
    }

    @Test(arguments: [("1234", true), ("12345678", true), ("123", false), ("12a4", false), ("", false), ("1234567890123", false)])
    func wellFormedIsDigitsOfTheRightLength(text: String, ok: Bool) {
        #expect(SecretPIN(utf8: text).isWellFormed() == ok)
    }
}

@Suite struct SignedDataTests {
    @Test func matchesTheWebEIDConstruction() {
        // Computed independently: sha256(sha256(origin) || sha256(nonce as base64 text)).
        let hash = SignedData.hash(origin: "https://wallet.esw.esante.gouv.fr", nonce: "12345678901234567890123456789012345678901234")
        #expect(hash.map { String(format: "%02x", $0) }.joined() == "6deb6f563d423784d440fde2267c4f8131ea140c7d4ae98d0a5e6fae44839988")
        let info = SignedData.digestInfo(origin: "https://wallet.esw.esante.gouv.fr", nonce: "12345678901234567890123456789012345678901234")
        #expect(info.count == 51)
        #expect(Array(info.suffix(32)) == hash)
    }
}
