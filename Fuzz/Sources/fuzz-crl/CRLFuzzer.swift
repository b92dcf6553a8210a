import FuzzDriver
import Foundation
@testable import CPSAuthVerifier
import SwiftASN1
import X509

/// libFuzzer entry point: one input is a CRL file as a federator configures it, PEM or DER.
///
/// What parses is used as the verifier uses it: its signature checked with the test PKI's
/// issuing CA (Fuzz/pki), the holder's serial number looked up, and the holder's status
/// taken from it as a verification does, at the PKI's reference time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let crl: CertificateRevocationList
    do {
        crl = try CertificateRevocationList(bytes: bytes)
    } catch {
        _ = error.description
        return 0
    }
    _ = crl.isSignatureValid(issuer: Fixed.issuing)
    _ = crl.entry(for: Fixed.holder.serialNumber)
    for entry in crl.revokedCertificates { _ = (entry.serialNumber.description, entry.revocationDate, entry.reason) }
    // The CRL step of a verification (synchronous; OCSP is not fuzzed here): the holder's
    // status from the newest valid CRL of its issuer.
    let index = RevocationIndex(crls: [crl], authorities: [Fixed.root, Fixed.issuing], policy: .crlOnly)
    switch index.currentCRL(of: Fixed.issuing, for: Fixed.holder, now: Fixed.now) {
    case .found(let current): _ = current.entry(for: Fixed.holder.serialNumber)
    case .missing(let why): _ = why
    }
    return 0
}

/// The test PKI of Fuzz/pki.
enum Fixed {
    static let pki = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pki")
    static let root = certificate("root.der")
    static let issuing = certificate("issuing.der")
    static let holder = certificate("holder.der")
    /// The test PKI's reference time: its certificates start one day before it.
    static let now = holder.notValidBefore.addingTimeInterval(86_400)

    static func certificate(_ name: String) -> Certificate {
        do {
            return try Certificate(derEncoded: Array(Data(contentsOf: pki.appendingPathComponent(name))))
        } catch {
            fatalError("fuzz-crl: cannot read \(name) in \(pki.path): \(error)")
        }
    }
}

/// The entry point SwiftPM links `main` to (see `FuzzDriver`).
@_cdecl("fuzz_crl_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzz(data!, size) }
}
