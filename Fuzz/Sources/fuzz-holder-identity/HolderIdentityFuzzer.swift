import FuzzDriver
import CPSIdentity
import Foundation

/// libFuzzer entry point: one input is a certificate as a card or a token hands it over,
/// PEM or DER. What gives a holder is shown as `cps-bridge inspect` and the API show it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let holder = try HolderIdentity(certificateBytes: bytes)
        precondition(!holder.nationalId.value.isEmpty, "a holder with an empty national identifier")
        _ = (holder.nationalId.rpps, holder.nationalId.structure)
        _ = try JSONEncoder().encode(holder)
    } catch let error as IdentityError {
        _ = error.description
    } catch {
        preconditionFailure("HolderIdentity threw something else than IdentityError: \(error)")
    }
    return 0
}

/// The entry point SwiftPM links `main` to (see `FuzzDriver`).
@_cdecl("fuzz_holder_identity_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzz(data!, size) }
}
