import FuzzDriver
import Foundation
@testable import CPSSimulator
import SmartCard

/// libFuzzer entry point: one input is a session of command APDUs sent to a freshly reset
/// simulated CPS3 card (the card answers whatever bytes its reader driver passes on).
///
/// Input layout: commands one after the other, each preceded by its length as two bytes,
/// big-endian; a length longer than what is left takes the rest. Each input starts from the
/// same card (PIN `1234`, 3 tries), so that a crash replays alone.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var applet = FreshCard.applet
    var rest = UnsafeBufferPointer(start: data, count: size)[...]
    while rest.count >= 2 {
        let declared = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
        rest = rest.dropFirst(2)
        let command = Array(rest.prefix(declared))
        rest = rest.dropFirst(declared)
        let (response, _) = applet.process(command)
        precondition(applet.state.pinTriesLeft >= 0 && applet.state.pinTriesLeft <= applet.profile.maxPINTries,
                     "PIN counter out of range: \(applet.state.pinTriesLeft)")
        precondition(response.data.count <= 65536, "response longer than any Ne: \(response.data.count)")
    }
    return 0
}

/// The card every input starts from, built once from the committed credentials in Fuzz/pki/card
/// (copied to a temporary folder, since loading may rewrite them).
enum FreshCard {
    static let applet: CPS3Applet = {
        do {
            let source = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("pki/card")
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-card-sim-\(getpid())")
            try? FileManager.default.removeItem(at: copy)
            try FileManager.default.copyItem(at: source, to: copy)
            defer { try? FileManager.default.removeItem(at: copy) }
            let credentials = try CardCredentials.loadOrCreate(in: copy.path, holder: HolderIdentity())
            let profile = CardProfile.cps3Contact
            let key = try CardRSAKey(pkcs1DER: credentials.holderKeyDER)
            let application = PKCS15Application(
                profile: profile, certificate: try CardCredentials.der(credentials.holderCertificate),
                cardNumber: credentials.holder.cardNumber(issuerPrefix: profile.issuerPrefix),
                tokenLabel: credentials.holder.tokenLabel, modulusBits: key.modulusByteCount * 8)
            return CPS3Applet(profile: profile, files: application.fileSystem(), key: key,
                              pin: PINCode(digits: "1234")!, triesLeft: profile.maxPINTries)
        } catch {
            fatalError("fuzz-card-sim: cannot load the card in Fuzz/pki/card: \(error)")
        }
    }()
}

/// The entry point SwiftPM links `main` to (see `FuzzDriver`).
@_cdecl("fuzz_card_sim_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzz(data!, size) }
}
