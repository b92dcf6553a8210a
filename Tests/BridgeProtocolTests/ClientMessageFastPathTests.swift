import BridgeProtocol
import Foundation
import Testing

/// `ClientMessage.decode` (the direct reader, falling back to `JSONDecoder`) and
/// `ClientMessage.decodeWithJSONDecoder` agree on every input: the same message, or the
/// same error with the same reason and `id`.
@Suite struct ClientMessageFastPathTests {
    static let nonce = "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg="

    /// Values a field may hold, as JSON text: right, wrong, odd.
    static let values: [String] = [
        "1", "2", "0", "-1", "01", "1.0", "1e0", "1E0", "-0", "10", "123456789012345678", "1234567890123456789", "99999999999999999999",
        "true", "false", "null", "nul", "tru", "[]", "[1]", "{}", #"{"a":1}"#,
        #""status""#, #""authenticate""#, #""getCertificate""#, #""cancel""#, #""Status""#, #""""#, #""x""#,
        #""9""#, #""a/b""#, #""é""#, #""a\"b""#, #""\u0041""#, #""\/""#, "\"\(String(repeating: "i", count: 64))\"",
        "\"\(String(repeating: "i", count: 65))\"", "\"tab\there\"", "\"\u{7F}\"", "\"\u{FFFE}\"", "\"\u{2028}\"",
        "\"\(nonce)\"", #""kDQG76N4DGrl0K0FicTQx-rC3b6pMZ_Him5BoaCONjg=""#, #""abcd""#,
        #""1234""#, #""123456789012""#, #""123""#, #""12a4""#, #""Reader 0""#, #""Lecteur é 00 00""#,
        "\"\(String(repeating: "r", count: 257))\"", #""R\u0001""#, #""   ""#,
    ]
    static let keys = ["v", "type", "id", "nonce", "reader", "pin", "confirmFinalTry", "x", "V", "i\u{301}d"]
    static let spaces = ["", " ", "\n", "\t", "\r\n ", "\u{A0}"]

    /// A deterministic pseudo-random source.
    struct Picker {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1) % bound
        }
        mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
    }

    /// Plain requests of every type, then many made of random fields around a plausible core.
    static func corpus() -> [[UInt8]] {
        var texts = [
            #"{"v":1,"type":"status","id":"9"}"#, #" {"id":"9" , "type" : "status","v":1} "#, #"{"v":1,"type":"cancel","id":"7"}"#,
            #"{"v":1,"type":"getCertificate","id":"8"}"#, #"{"v":1,"type":"getCertificate","id":"8","reader":"Reader 0"}"#,
            #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)"}"#,
            #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","reader":null,"pin":null,"confirmFinalTry":null}"#,
            #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","reader":"R","pin":"1234","confirmFinalTry":true,"x":[1]}"#,
            #"{"v":1,"type":"status","id":"9","v":1}"#, #"{"v":1,"type":"status","id":"9"}x"#, #"{"v":1,"type":"status","id":"9",}"#,
            "{}", "[]", "", " ", "1", "null", "\"s\"", "{", "}", #"{"v":1,"type":"status","id":"9"} {}"#, "\u{FEFF}{\"v\":1}",
            #"{"v":1,"type":"status","id":"9","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14}"#,
        ]
        // Every prefix of a full authenticate request.
        let full = texts[7]
        texts += (0..<full.utf8.count).map { String(decoding: full.utf8.prefix($0), as: UTF8.self) }
        var picker = Picker(state: 12)
        for _ in 0..<20_000 {
            var members: [String] = []
            if picker.next(8) != 0 { members.append(#""v":\#(picker.next(6) == 0 ? picker.pick(values) : "1")"#) }
            if picker.next(8) != 0 {
                members.append(#""type":\#(picker.next(5) == 0 ? picker.pick(values) : picker.pick(values[22...25].map { $0 }))"#)
            }
            if picker.next(8) != 0 { members.append(#""id":\#(picker.next(4) == 0 ? picker.pick(values) : #""42""#)"#) }
            for _ in 0..<picker.next(4) {
                members.append("\"\(picker.pick(keys))\":\(picker.pick(values))")
            }
            if picker.next(3) == 0 { members.append(#""nonce":"\#(nonce)""#) }
            members.shuffle(using: &picker)
            let space = picker.pick(spaces)
            texts.append(space + "{" + members.joined(separator: "," + picker.pick(spaces)) + space + "}" + picker.pick(spaces))
        }
        var inputs = texts.map { Array($0.utf8) }
        // Not UTF-8, and over the size limit.
        inputs.append(Array(#"{"v":1,"type":"status","id":"9","x":""#.utf8) + [0xFF, 0x22, 0x7D])
        inputs.append(Array(#"{"v":1,"type":"getCertificate","id":"9","reader":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D])
        inputs.append(Array(#"{"v":1,"type":"status","id":"9"}"#.utf8) + Array(repeating: 0x20, count: ProtocolLimits.maxMessageBytes))
        return inputs
    }

    @Test func bothPathsAgreeOnEveryInput() {
        var direct = 0
        for bytes in Self.corpus() {
            let data = Data(bytes)
            let reference = Result { () throws(ProtocolError) in try ClientMessage.decodeWithJSONDecoder(from: data) }
            let decoded = Result { () throws(ProtocolError) in try ClientMessage.decode(from: data) }
            let text = String(decoding: bytes, as: UTF8.self)
            let label = text.prefix(200).debugDescription
            #expect(Self.same(reference, decoded), "\(label)")
            if Array(text.utf8) == bytes {
                #expect(Self.same(reference, Result { () throws(ProtocolError) in try ClientMessage.decode(from: text) }), "\(label)")
            }
            if bytes.withUnsafeBytes(ClientMessage.decodeFast) != nil { direct += 1 }
        }
        // The plain requests do take the direct path.
        #expect(direct > 1000)
    }

    @Test func thePlainRequestsTakeTheDirectPath() {
        for text in [#"{"v":1,"type":"status","id":"9"}"#, #"{"v":1,"type":"cancel","id":"7"}"#,
                     #"{"v":1,"type":"getCertificate","id":"8","reader":"Lecteur é"}"#,
                     #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(Self.nonce)","pin":"1234","confirmFinalTry":false}"#] {
            #expect(Array(text.utf8).withUnsafeBytes(ClientMessage.decodeFast) == (try? ClientMessage.decodeWithJSONDecoder(from: Data(text.utf8))))
        }
    }

    /// `POST /v1/authenticate`'s body: `AuthenticateBody.decode` (direct, then `JSONDecoder`)
    /// and `decodeWithJSONDecoder` agree on every input of the corpus, read as a body (`type`
    /// and `id` are then members like any unknown one).
    @Test func bothPathsAgreeOnEveryHTTPBody() {
        var direct = 0
        var inputs = Self.corpus()
        inputs += [#"{"nonce":"\#(Self.nonce)"}"#, #"{"v":1,"nonce":"\#(Self.nonce)","pin":"1234"}"#,
                   #"{"v":null,"nonce":"\#(Self.nonce)"}"#, #"{"v":2,"nonce":"\#(Self.nonce)"}"#,
                   #"{"nonce":"\#(Self.nonce)","confirmFinalTry":"true"}"#].map { Array($0.utf8) }
        for bytes in inputs {
            let data = Data(bytes)
            let reference = Result { () throws(ProtocolError) in try AuthenticateBody.decodeWithJSONDecoder(from: data) }
            let decoded = Result { () throws(ProtocolError) in try AuthenticateBody.decode(from: data) }
            let raw = bytes.withUnsafeBytes { raw in Result { () throws(ProtocolError) in try AuthenticateBody.decode(from: raw) } }
            let label = String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription
            #expect(Self.same(reference, decoded), "\(label)")
            #expect(Self.same(reference, raw), "\(label)")
            if bytes.withUnsafeBytes(AuthenticateBody.decodeFast) != nil { direct += 1 }
        }
        // The plain bodies (a third of the random ones carry a nonce) do take the direct path.
        #expect(direct > 500)
    }

    @Test func thePlainHTTPBodiesTakeTheDirectPath() {
        for text in [#"{"nonce":"\#(Self.nonce)"}"#, #"{"v":1,"nonce":"\#(Self.nonce)","reader":"Lecteur é","pin":"1234","confirmFinalTry":false}"#] {
            let direct = Array(text.utf8).withUnsafeBytes(AuthenticateBody.decodeFast)
            #expect(direct != nil)
            #expect(direct == (try? AuthenticateBody.decodeWithJSONDecoder(from: Data(text.utf8))))
        }
    }

    /// The same message, or errors equal in code, reason and `id`.
    static func same<T: Equatable>(_ a: Result<T, ProtocolError>, _ b: Result<T, ProtocolError>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): x == y
        case (.failure(let x), .failure(let y)): x == y && x.id == y.id
        default: false
        }
    }
}

extension ClientMessageFastPathTests.Picker: RandomNumberGenerator {
    mutating func next() -> UInt64 { UInt64(truncatingIfNeeded: next(Int.max)) }
}
