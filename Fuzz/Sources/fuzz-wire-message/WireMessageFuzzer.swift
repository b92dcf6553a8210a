import FuzzDriver
import BridgeProtocol
import Foundation

/// libFuzzer entry point: one input is one WebSocket text message or HTTP body, as a page
/// (or anything on the machine) may send it.
///
/// Every decoder of untrusted text gets the bytes: `ClientMessage` (WebSocket requests),
/// `AuthenticateBody` (`POST /v1/authenticate`) and `ServerMessage` (what clients decode).
/// A decoding error becomes the error answer the daemon sends, encoded as it would be.
/// What decodes must encode and decode again to the same value. The direct paths are checked
/// against the Codable ones: `ClientMessage.decode` against `decodeWithJSONDecoder`, and
/// `ServerMessage.jsonBytes()` against `WireJSON.encode`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    // The direct reader (with its fallback) and JSONDecoder agree: same message, or same
    // error, reason and id.
    let direct = Result { () throws(ProtocolError) in try ClientMessage.decode(from: bytes) }
    let reference = Result { () throws(ProtocolError) in try ClientMessage.decodeWithJSONDecoder(from: bytes) }
    switch (direct, reference) {
    case (.success(let a), .success(let b)): precondition(a == b, "decode and decodeWithJSONDecoder differ: \(a) vs \(b)")
    case (.failure(let a), .failure(let b)): precondition(a == b && a.id == b.id, "the two paths fail differently: \(a) vs \(b)")
    default: preconditionFailure("one path decodes, the other fails")
    }
    do {
        let message = try ClientMessage.decode(from: bytes)
        let again = try? ClientMessage.decode(from: WireJSON.encode(message))
        precondition(again == message, "ClientMessage does not round-trip: \(message)")
        _ = message.description
    } catch {
        _ = ServerMessage.error(id: error.id, ErrorPayload(error)).jsonText()
    }
    do {
        let body = try AuthenticateBody.decode(from: bytes)
        let again = try? AuthenticateBody.decode(from: WireJSON.encode(body))
        precondition(again == body, "AuthenticateBody does not round-trip: \(body)")
    } catch {
        _ = ServerMessage.error(id: nil, ErrorPayload(error)).jsonText()
    }
    if let message = try? ServerMessage.decode(from: bytes) {
        precondition(message.jsonBytes() == Array(WireJSON.encode(message)), "JSONWriter and JSONEncoder differ: \(message)")
        let again = try? ServerMessage.decode(from: WireJSON.encode(message))
        precondition(again == message, "ServerMessage does not round-trip: \(message.jsonText())")
    }
    return 0
}

/// The entry point SwiftPM links `main` to (see `FuzzDriver`).
@_cdecl("fuzz_wire_message_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzz(data!, size) }
}
