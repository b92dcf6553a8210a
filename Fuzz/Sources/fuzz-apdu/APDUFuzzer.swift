import FuzzDriver
import PCSC
import SmartCard

/// libFuzzer entry point: one input is the bytes a card or a reader driver hands back (or a
/// command a card receives).
///
/// Parses them as a BER-TLV sequence and searches it, as a response APDU, as a command APDU,
/// and as a reader's feature list (`CM_IOCTL_GET_FEATURE_REQUEST`). What parses must encode
/// again to bytes that parse to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let objects = try? BERTLV.parseAll(bytes) {
        for object in objects {
            let (again, used) = try! BERTLV.parse(object.bytes)
            precondition(again == object && used == object.bytes.count, "BER-TLV does not round-trip: \(object)")
            _ = object.find(0x5F2D)
            _ = object.isConstructed ? object.children.count : 0
        }
    }
    if let (object, used) = try? BERTLV.parse(bytes[...]) {
        precondition(used <= bytes.count && used >= object.value.count + 2, "BER-TLV length out of range")
    }

    if let response = try? ResponseAPDU(bytes: bytes) {
        precondition(response.bytes == bytes, "ResponseAPDU does not round-trip")
        _ = response.description
    }

    if let command = try? CommandAPDU(bytes: bytes) {
        let again = try! CommandAPDU(bytes: command.bytes)
        precondition(again == command, "CommandAPDU does not round-trip: \(command)")
    }
    _ = ReaderFeature.parseFeatureList(bytes)
    return 0
}

/// The entry point SwiftPM links `main` to (see `FuzzDriver`).
@_cdecl("fuzz_apdu_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzz(data!, size) }
}
