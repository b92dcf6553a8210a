import FuzzDriver
import CPSAuthVerifier
import Dispatch
import Foundation
import SwiftASN1
import X509

/// libFuzzer entry point: one input is the `token` JSON a page posts to a federator, verified
/// against a fixed nonce, origin and trust configuration (the test PKI in Fuzz/pki: root and
/// issuing CA, a CRL of the issuing CA; RS256, PS256 and ES256 allowed) at a fixed time, so
/// that the seed token stays valid.
///
/// Only the holder certificate of Fuzz/pki, with its key, can make a token that verifies: a
/// success with anything else is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let token = Data(bytes: data, count: size)
    let done = DispatchSemaphore(value: 0)
    Task {
        defer { done.signal() }
        do {
            let login = try await Fixed.verifier.verify(tokenJSON: token, origin: Fixed.origin, nonce: Fixed.nonce, now: Fixed.now)
            precondition(login.certificate == Fixed.holder, "a token verified with another certificate: \(login.certificate)")
            precondition(login.claims.subjectNameID == "899700012345", "unexpected subject \(login.claims.subjectNameID)")
        } catch {
            _ = String(describing: error)
        }
    }
    done.wait()
    return 0
}

/// The fixed side of every verification.
enum Fixed {
    static let origin = "https://auth.example.fr"
    /// The bytes 0 to 31, base64: the nonce the seed token signs.
    static let nonce = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let pki = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pki")

    static let holder = certificate("holder.der")
    /// The test PKI's reference time: its certificates start one day before it.
    static let now = holder.notValidBefore.addingTimeInterval(86_400)

    static let verifier: CPSAuthVerifier = {
        do {
            let crl = try CertificateRevocationList(contentsOfFile: pki.appendingPathComponent("issuing.crl").path)
            // Every algorithm the library knows, so that PS256 and ES256 signatures are parsed too.
            // Fuzz/pki has no root CRL and no certificate policy: both relaxed explicitly, so
            // that the seed token still verifies and every later check is reached.
            let root = certificate("root.der")
            let configuration = VerifierConfiguration(trustAnchors: [root],
                                                      intermediates: [certificate("issuing.der")], crls: [crl],
                                                      revocationNotCheckedFor: [.of(root)], certificatePolicies: .notChecked,
                                                      allowedAlgorithms: VerifierConfiguration.supportedAlgorithms)
            return CPSAuthVerifier(configuration: configuration, nonceStore: AlwaysFresh())
        } catch {
            fatalError("fuzz-token: cannot read the CRL in \(pki.path): \(error)")
        }
    }()

    static func certificate(_ name: String) -> Certificate {
        do {
            return try Certificate(derEncoded: Array(Data(contentsOf: pki.appendingPathComponent(name))))
        } catch {
            fatalError("fuzz-token: cannot read \(name) in \(pki.path): \(error)")
        }
    }
}

/// A nonce store for which every nonce is fresh: the fixed nonce is presented on every input.
struct AlwaysFresh: NonceStore {
    func insert(_ nonce: String, expiresAt: Date, now: Date) async throws {}
    func consume(_ nonce: String, now: Date) async throws -> NonceState { .fresh }
}

/// The entry point SwiftPM links `main` to (see `FuzzDriver`).
@_cdecl("fuzz_token_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzz(data!, size) }
}
