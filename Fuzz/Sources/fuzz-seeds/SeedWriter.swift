import BridgeProtocol
import CPSSimulator
import Crypto
import _CryptoExtras
import Foundation
import SmartCard
import SwiftASN1
import VerifierTestPKI
import X509

/// Writes the fuzzers' fixed test PKI (`Fuzz/pki`) and seed corpus (`Fuzz/corpus/<target>`).
///
/// Run once; its output is committed, and rerunning it makes new keys (so new seeds for the
/// token, identity and CRL targets). Usage: `fuzz-seeds [FUZZ-DIRECTORY]` (default `Fuzz`).
/// Built like the fuzz targets (in .build-fuzz), so its entry point is `fuzz_seeds_main`.
struct SeedWriter {
    /// The test PKI's reference time: its certificates start a day before it, the CRL an hour
    /// before it. The token and CRL fuzzers verify at this time.
    static let referenceTime = Date(timeIntervalSince1970: 1_795_996_800) // 2026-12-01T00:00:00Z
    static let origin = "https://auth.example.fr"
    static let nonce = Data(0..<32).base64EncodedString()

    let root: URL

    static func main() throws {
        let path = CommandLine.arguments.dropFirst().first ?? "Fuzz"
        try SeedWriter(root: URL(fileURLWithPath: path)).writeAll()
        print("fuzz-seeds: wrote \(path)/pki and \(path)/corpus")
    }

    func writeAll() throws {
        let pki = try VerifierTestPKI(now: Self.referenceTime)
        let crlIssuer = CRLIssuer(issuer: pki.issuing.subject, key: pki.issuingKey)
        let otherEntry = CRLIssuer.Entry(serial: [0x01, 0x02, 0x03], date: Self.referenceTime.addingTimeInterval(-86_400), reason: 1)
        let crl = try crlIssuer.issue(entries: [otherEntry], thisUpdate: Self.referenceTime.addingTimeInterval(-3600),
                                      nextUpdate: Self.referenceTime.addingTimeInterval(30 * 86_400))
        try write(VerifierTestPKI.der(pki.root), "pki/root.der")
        try write(VerifierTestPKI.der(pki.issuing), "pki/issuing.der")
        try write(VerifierTestPKI.der(pki.holder), "pki/holder.der")
        try write(crl, "pki/issuing.crl")
        let card = try CardCredentials.loadOrCreate(in: root.appendingPathComponent("pki/card").path, holder: HolderIdentity())

        try writeWireMessages(pki: pki)
        try writeTokens(pki: pki)
        try writeCertificates(pki: pki, card: card)
        try writeCRLs(pki: pki, issuer: crlIssuer, valid: crl, other: otherEntry)
        try writeAPDUs(card: card)
        try writeCardSessions()
    }

    func write(_ bytes: [UInt8], _ relativePath: String) throws {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func write(_ text: String, _ relativePath: String) throws {
        try write(Array(text.utf8), relativePath)
    }

    static func pem(_ der: [UInt8], _ label: String) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}

/// The entry point SwiftPM links `main` to. The generator is built with the fuzz targets'
/// flags (so libFuzzer is linked in, and needs `LLVMFuzzerTestOneInput`, below), but never
/// starts libFuzzer.
@_cdecl("fuzz_seeds_main")
func seedsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    do {
        try SeedWriter.main()
        return 0
    } catch {
        print("fuzz-seeds: \(error)")
        return 1
    }
}

/// Never called: libFuzzer, linked in by `-sanitize=fuzzer`, refers to it.
@_cdecl("LLVMFuzzerTestOneInput")
public func unusedTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }
