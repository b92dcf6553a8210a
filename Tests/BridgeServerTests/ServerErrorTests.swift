import BridgeServer
import CardTestBed
import Foundation
import Testing

/// The card's outcomes as a page sees them through the API (codes and tries left).
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct ServerErrorTests {
    static func login(_ port: Int, pin: String = "1234", reader: String? = nil, confirm: Bool = false) async throws -> ServerTests.Reply {
        var body = "{\"nonce\":\"\(ServerTests.nonce())\",\"pin\":\"\(pin)\",\"confirmFinalTry\":\(confirm)"
        if let reader { body += ",\"reader\":\"\(reader)\"" }
        body += "}"
        return try await ServerTests.http(port, "POST", "/v1/authenticate",
                                          headers: ["Origin": ServerTests.page, "Content-Type": "application/json"], body: body)
    }

    static func triesLeft(_ reply: ServerTests.Reply) -> Int? { (reply.json["error"] as? [String: Any])?["triesLeft"] as? Int }

    @Test func wrongPINFinalTryAndBlockedCard() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await ServerTests.withDaemon { port in
                let first = try await Self.login(port, pin: "0000")
                #expect(first.status == 403)
                #expect(ServerTests.errorCode(first) == "pinIncorrect")
                #expect(Self.triesLeft(first) == 2)
                let second = try await Self.login(port, pin: "0000")
                #expect(Self.triesLeft(second) == 1)
                // One try left: refused without confirmation, no PIN sent; and with the page's
                // confirmation too, as this daemon has no native prompt for the holder's own.
                let verifies = card.apduLog().filter { $0.contains("00 20 00 01 08") }.count
                let unconfirmed = try await Self.login(port)
                #expect(ServerTests.errorCode(unconfirmed) == "pinFinalTry")
                let pageOnly = try await Self.login(port, pin: "0000", confirm: true)
                #expect(pageOnly.status == 409)
                #expect(ServerTests.errorCode(pageOnly) == "pinFinalTry")
                #expect(Self.triesLeft(pageOnly) == 1)
                #expect(card.apduLog().filter { $0.contains("00 20 00 01 08") }.count == verifies)
            }
        }
        // A blocked card is never sent a PIN, confirmed or not.
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0], arguments: ["--tries", "0"])
            defer { card.stop() }
            try await ServerTests.withDaemon { port in
                let blocked = try await Self.login(port, confirm: true)
                #expect(ServerTests.errorCode(blocked) == "pinBlocked")
                #expect(card.apduLog().filter { $0.contains("00 20 00 01 08") }.isEmpty)
            }
        }
    }

    @Test func aPulledCardAndTwoCards() async throws {
        try await CardBed.shared().withReaders(2) { readers in
            let first = try SimulatedCard(reader: readers[0])
            defer { first.stop() }
            try await ServerTests.withDaemon { port in
                try first.control("remove-after-verify")
                let pulled = try await Self.login(port)
                #expect(ServerTests.errorCode(pulled) == "cardRemoved")
                try first.waitForPresence(false)
                try first.reinsert()
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await Self.login(port).status == 200)

                let second = try SimulatedCard(reader: readers[1], stateDirectory: first.stateDirectory.deletingLastPathComponent()
                    .appendingPathComponent("second-\(UUID().uuidString)"))
                defer { second.stop() }
                try await Task.sleep(for: .milliseconds(300))
                let ambiguous = try await Self.login(port)
                #expect(ServerTests.errorCode(ambiguous) == "readerRequired")
                #expect(((ambiguous.json["error"] as? [String: Any])?["readers"] as? [String])?.sorted() == readers.map(\.name).sorted())
                #expect(try await Self.login(port, reader: readers[1].name).status == 200)
            }
        }
    }
}
