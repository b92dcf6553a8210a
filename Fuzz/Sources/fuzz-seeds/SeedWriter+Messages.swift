import BridgeProtocol
import Foundation
import VerifierTestPKI

extension SeedWriter {
    /// WebSocket requests, HTTP bodies and daemon messages (docs/PROTOCOL.md), and near misses.
    func writeWireMessages(pki: VerifierTestPKI) throws {
        let nonce = Self.nonce
        let reader = "Gemalto PC Twin Reader 00 00"
        let seeds: [String: String] = [
            "authenticate": #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","reader":"\#(reader)","confirmFinalTry":false}"#,
            "authenticate-page-pin": #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","pin":"1234","confirmFinalTry":true}"#,
            "get-certificate": #"{"v":1,"type":"getCertificate","id":"8","reader":"\#(reader)"}"#,
            "status": #"{"v":1,"type":"status","id":"9"}"#,
            "cancel": #"{"v":1,"type":"cancel","id":"7"}"#,
            "http-body": #"{"nonce":"\#(nonce)"}"#,
            "http-body-full": #"{"v":1,"nonce":"\#(nonce)","reader":null,"pin":null,"confirmFinalTry":false}"#,
            "server-status": #"{"v":1,"type":"status","readers":[{"name":"\#(reader)","card":{"kind":"cps3","pin":{"state":"ok","triesLeft":3,"maxTries":3},"holder":{"nationalId":"899700012345","nationalIdType":"rpps","rpps":"99700012345","familyName":"TEST-CPS","givenName":"CAMILLE","profession":"Médecin","organization":null}}},{"name":"Alcor Micro AU9540 01 00","card":null}]}"#,
            "server-event": #"{"v":1,"type":"event","event":"cardInserted","reader":"\#(reader)","card":{"kind":"cps3","pin":null,"holder":null}}"#,
            "server-error": #"{"v":1,"type":"error","id":"7","code":"pinIncorrect","triesLeft":2,"message":{"fr":"Code PIN incorrect.","en":"Wrong PIN."}}"#,
            "server-error-readers": #"{"v":1,"type":"error","id":"7","code":"readerRequired","readers":["A 00 00","B 01 00"],"message":{"fr":"x","en":"y"}}"#,
            // Near misses.
            "near-version-2": #"{"v":2,"type":"status","id":"9"}"#,
            "near-unknown-type": #"{"v":1,"type":"sign","id":"9"}"#,
            "near-short-nonce": #"{"v":1,"type":"authenticate","id":"7","nonce":"AAAA"}"#,
            "near-pin-letters": #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)","pin":"12a4"}"#,
            "near-id-number": #"{"v":1,"type":"cancel","id":7}"#,
            "near-array": #"[{"v":1,"type":"status","id":"9"}]"#,
            "near-truncated": #"{"v":1,"type":"authenticate","id":"7","nonce":"\#(nonce)"#,
            "near-escapes": #"{"v":1,"type":"getCertificate","id":"\u0041\ud83d\ude00","reader":"a\u0000b"}"#,
        ]
        for (name, text) in seeds { try write(text, "corpus/fuzz-wire-message/\(name).json") }
        let token = try pki.token(origin: Self.origin, nonce: nonce)
        let result = ServerMessage.authenticated(id: "7", AuthenticationResult(token: token, holder: nil))
        try write(result.jsonText(), "corpus/fuzz-wire-message/server-result.json")
    }

    /// The token the fuzz-token target verifies, and near misses.
    func writeTokens(pki: VerifierTestPKI) throws {
        let token = try pki.token(origin: Self.origin, nonce: Self.nonce)
        try write(Array(WireJSON.encode(token)), "corpus/fuzz-token/valid.json")
        var variants: [String: AuthenticationToken] = [:]
        variants["near-other-nonce"] = try pki.token(origin: Self.origin, nonce: Data(1..<33).base64EncodedString())
        variants["near-other-origin"] = try pki.token(origin: "https://evil.example", nonce: Self.nonce)
        variants["near-foreign-ca"] = try pki.token(origin: Self.origin, nonce: Self.nonce, certificate: try pki.holder(foreign: true))
        var algorithm = token
        algorithm.algorithm = "PS256"
        variants["near-ps256"] = algorithm
        var format = token
        format.format = "web-eid:2.0"
        variants["near-format-2"] = format
        var base64 = token
        base64.signature = String(base64.signature.dropLast(2))
        variants["near-bad-base64"] = base64
        for (name, value) in variants { try write(Array(WireJSON.encode(value)), "corpus/fuzz-token/\(name).json") }
        try write(#"{"format":"web-eid:1.0","algorithm":"RS256"}"#, "corpus/fuzz-token/near-missing-fields.json")
    }
}
