import BridgeServer
import CardTestBed
import Foundation
import Synchronization
import Testing

/// Bounded per WebSocket: a few requests under way at once, an `id` used once at a time,
/// a flood of `status` answered without growing memory or holding up a login.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(3)))
struct WebSocketLimitTests {
    /// The answers to `ids` (by id), reading past events and the greeting.
    static func answers(_ socket: RawWebSocket, ids: Set<String>) throws -> [String: [String: Any]] {
        var found: [String: [String: Any]] = [:]
        while found.count < ids.count, let text = try socket.receive() {
            let object = ServerTests.object(text)
            if let id = object["id"] as? String, ids.contains(id) { found[id] = object }
        }
        return found
    }

    @Test func aDuplicateIDAndTooManyRequestsAtOnceAreRefused() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await ServerTests.withDaemon { port in
                let socket = try RawWebSocket(port: port, origin: ServerTests.page)
                // The card read at start is in the module's memory: its certificate is answered
                // without a command to the card, stalled or not. Put back, it is a new insertion
                // whose first request has the module bind it, on the card.
                _ = try card.control("remove")
                _ = try card.control("insert")
                try await Task.sleep(for: .seconds(1))
                // Stall the card so that requests stay under way.
                _ = try card.control("stall")
                let batch = (0..<6).map { "{\"v\":1,\"type\":\"getCertificate\",\"id\":\"r\($0)\"}" } + ["{\"v\":1,\"type\":\"status\",\"id\":\"r0\"}"]
                // The first four take the places; the fifth and sixth get busy; r0 again is a duplicate.
                for message in batch { try socket.send(message) }
                let early = try Self.answers(socket, ids: ["r4", "r5", "r0"])
                #expect(early["r4"]?["code"] as? String == "busy")
                #expect(early["r5"]?["code"] as? String == "busy")
                // r0 is still under way (the card is stalled): its second use is refused.
                #expect(early["r0"]?["code"] as? String == "badRequest", "\(early["r0"] ?? [:])")
                _ = try card.control("resume")
                // The four that took the places are answered, as usual.
                let rest = try Self.answers(socket, ids: ["r0", "r1", "r2", "r3"])
                #expect(rest.count == 4)
                #expect(rest.values.allSatisfy { $0["type"] as? String != "error" }, "\(rest)")
            }
        }
    }

    @Test func aStatusFloodStaysBoundedAndALoginGoesThrough() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            try await ServerTests.withDaemon { port in
                let count = 100_000
                let socket = try RawWebSocket(port: port, origin: nil, timeoutSeconds: 30)
                _ = try socket.receive() // the greeting
                let before = Self.residentMiB()
                let box = SocketBox(socket)
                // The flood: written on its own thread while this one reads the answers.
                let writer = Thread { box.flood(count) }
                writer.start()
                // Meanwhile, a page logs in on its own connection.
                let login = Task { () async throws -> (Int, String) in
                    let reply = try await ServerTests.http(port, "POST", "/v1/authenticate",
                                                           headers: ["Origin": ServerTests.page, "Content-Type": "application/json"],
                                                           body: "{\"nonce\":\"\(ServerTests.nonce())\",\"pin\":\"1234\"}")
                    return (reply.status, "\(reply.json)")
                }
                var answered = 0
                var statuses = 0
                var peak = before
                while answered < count, let text = try socket.receive() {
                    guard text.contains("\"id\":\"f") else { continue }
                    answered += 1
                    if text.contains("\"type\":\"status\"") { statuses += 1 }
                    if answered % 10_000 == 0 { peak = max(peak, Self.residentMiB()) }
                }
                let reply = try await login.value
                #expect(answered == count, "every message gets one answer")
                #expect(statuses > 0, "some statuses were served, not only refusals")
                #expect(reply.0 == 200, "the login failed during the flood: \(reply.1)")
                #expect(peak - before < 48, "resident memory grew by \(peak - before) MiB during the flood")
                print("status flood: \(count) messages, \(statuses) served, the rest busy; RSS \(before) -> peak \(peak) MiB")
            }
        }
    }

    /// This process's resident memory (the daemon runs in it), in MiB.
    static func residentMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
}

/// The flood's socket, written from a thread while the test reads it (a socket's two
/// directions are independent).
final class SocketBox: @unchecked Sendable {
    let socket: RawWebSocket
    init(_ socket: RawWebSocket) { self.socket = socket }

    func flood(_ count: Int) {
        for index in 0..<count {
            guard (try? socket.send("{\"v\":1,\"type\":\"status\",\"id\":\"f\(index)\"}")) != nil else { return }
        }
    }
}
