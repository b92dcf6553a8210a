import BridgeServer
import CardTestBed
import Foundation
import Testing

/// A workstation shared by several staff accounts: another account's process gets
/// `403 otherUser` and nothing else, on every path, and never reaches the card.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests && UnixAccounts.runTests, "needs pcscd, vpcd, OpenSC and root (make deps)"),
       .timeLimit(.minutes(2)))
struct OtherAccountTests {
    static let account = "cpsb-mallory"

    /// Raw requests sent by another account (python3 as `cpsb-mallory`): one connection each,
    /// read to the end. Prints one JSON line per request: name, status, head, body.
    static let client = #"""
    import json, socket, sys
    port = int(sys.argv[1]); page = sys.argv[2]; mode = sys.argv[3]
    def exchange(name, text):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(text.encode())
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        first = head.split(b"\r\n")[0].split(b" ")
        status = int(first[1]) if len(first) > 1 else 0
        print(json.dumps({"name": name, "status": status, "head": head.decode("latin-1"), "body": body.decode("utf-8", "replace")}), flush=True)
    host = "Host: 127.0.0.1:%d\r\n" % port
    def login(pin, confirm):
        body = json.dumps({"nonce": "A" * 43 + "=", "pin": pin, "confirmFinalTry": confirm})
        return ("POST /v1/authenticate HTTP/1.1\r\n" + host + "Origin: " + page + "\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    if mode == "paths":
        exchange("local status", "GET /v1/status HTTP/1.1\r\n" + host + "X-CPS-Bridge: 1\r\nConnection: close\r\n\r\n")
        exchange("page status", "GET /v1/status HTTP/1.1\r\n" + host + "Origin: " + page + "\r\nConnection: close\r\n\r\n")
        exchange("login", login("1234", False))
        exchange("preflight", "OPTIONS /v1/authenticate HTTP/1.1\r\n" + host + "Origin: " + page +
                 "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Private-Network: true\r\nConnection: close\r\n\r\n")
        exchange("unknown path", "GET /nowhere HTTP/1.1\r\n" + host + "X-CPS-Bridge: 1\r\nConnection: close\r\n\r\n")
        exchange("websocket", "GET /v1/ws HTTP/1.1\r\n" + host + "Origin: " + page + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        exchange("silent", "")
    else:
        # The card-blocking replay: two wrong PINs, then a third "confirmed" as final.
        exchange("wrong 1", login("0000", False))
        exchange("wrong 2", login("0000", False))
        exchange("final", login("0000", True))
    """#

    static func run(port: Int, mode: String) throws -> [[String: Any]] {
        let (status, output) = try UnixAccounts.run(as: account, ["/usr/bin/python3", "-c", client, String(port), ServerTests.page, mode])
        #expect(status == 0, "\(output)")
        return output.split(separator: "\n").compactMap { ServerTests.object(String($0)).isEmpty ? nil : ServerTests.object(String($0)) }
    }

    static func expectOtherUser(_ answer: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let name = answer["name"] as? String ?? "?"
        let head = (answer["head"] as? String ?? "").lowercased()
        #expect(answer["status"] as? Int == 403, "\(name): \(head)", sourceLocation: sourceLocation)
        #expect(!head.contains("access-control-allow-origin"), "\(name): a CORS echo", sourceLocation: sourceLocation)
        #expect(!head.contains("upgrade: websocket"), "\(name) upgraded", sourceLocation: sourceLocation)
        let body = ServerTests.object(answer["body"] as? String ?? "")
        #expect((body["error"] as? [String: Any])?["code"] as? String == "otherUser", "\(name): \(body)", sourceLocation: sourceLocation)
        #expect(body.count == 1, "\(name): more than the error: \(body)", sourceLocation: sourceLocation)
        #expect(!(answer["body"] as? String ?? "").contains("899700012345"), "\(name): the holder leaked", sourceLocation: sourceLocation)
    }

    @Test func anotherAccountGetsOtherUserOnEveryPathAndNeverTheCard() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await ServerTests.withDaemon { port in
                let before = card.apduLog()
                let answers = try Self.run(port: port, mode: "paths")
                #expect(answers.map { $0["name"] as? String } == ["local status", "page status", "login", "preflight", "unknown path", "websocket", "silent"])
                answers.forEach { Self.expectOtherUser($0) }
                #expect(card.apduLog() == before, "another account's requests reached the card")
                // The owner is served as before.
                let own = try await ServerTests.http(port, "GET", "/v1/status")
                #expect(own.status == 200)
                #expect("\(own.json)".contains("899700012345"))
            }
        }
    }

    @Test func theCardBlockingReplayFromAnotherAccountLeavesTheCounterUntouched() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await ServerTests.withDaemon { port in
                let answers = try Self.run(port: port, mode: "block")
                #expect(answers.count == 3)
                answers.forEach { Self.expectOtherUser($0) }
                // The log masks a VERIFY's PIN as `**`: no such line, no PIN sent.
                #expect(!card.apduLog().contains { $0.hasPrefix("> ") && $0.contains("**") }, "a VERIFY with a PIN reached the card")
                // The holder still has every try: their own login works at once.
                let own = try await ServerTests.http(port, "POST", "/v1/authenticate",
                                                     headers: ["Origin": ServerTests.page, "Content-Type": "application/json"],
                                                     body: "{\"nonce\":\"\(ServerTests.nonce())\",\"pin\":\"1234\"}")
                #expect(own.status == 200, "\(own.json)")
            }
        }
    }
}
