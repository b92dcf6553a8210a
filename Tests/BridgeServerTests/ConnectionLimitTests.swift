import BridgeServer
import CardTestBed
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bounded per peer: 64 connections at once, silent ones making room for a new client, a
/// clear 503 when all are busy, silent sockets closed after the header timeout.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct ConnectionLimitTests {
    static func connect(_ port: Int, timeout: Int = 5) throws -> Int32 {
        guard case .success(let fd) = LoopbackPorts.connect(port, receiveTimeoutSeconds: timeout) else { throw TestBedError("connect") }
        return fd
    }

    /// Whether the server closed `fd` (a read returns end of file or a reset).
    static func isClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return read(fd, &byte, 1) <= 0
    }

    @Test func silentSocketsAtTheLimitMakeRoomForABrowser() async throws {
        try await ServerTests.withDaemon { port in
            var silent: [Int32] = []
            defer { silent.forEach { close($0) } }
            for _ in 0..<64 { silent.append(try Self.connect(port)) }
            try await Task.sleep(for: .milliseconds(100))
            // A page's WebSocket is served at once: the oldest silent socket made room.
            let page = try RawWebSocket(port: port, origin: ServerTests.page)
            #expect(page.status == 101)
            #expect(ServerTests.object(try #require(try page.receive()))["type"] as? String == "status")
            #expect(Self.isClosed(silent[0]), "the oldest silent socket is still open")
            // And a local program's request too (the next oldest goes).
            let fd = try Self.connect(port)
            defer { close(fd) }
            #expect(try ServerTests.exchange(fd, port: port).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func whenEveryConnectionIsBusyTheNextGets503WithRetryAfter() async throws {
        try await ServerTests.withDaemon { port in
            // 64 WebSockets, each past its first request: none may be evicted.
            var sockets: [RawWebSocket] = []
            for _ in 0..<64 { sockets.append(try RawWebSocket(port: port, origin: nil)) }
            #expect(sockets.allSatisfy { $0.status == 101 })
            let refused = try RawWebSocket(port: port, path: "/v1/status", origin: nil, upgrade: false)
            #expect(refused.status == 503, "\(refused.responseHead)")
            #expect(refused.responseHeaders["retry-after"] == "1")
            let body = ServerTests.object(String(decoding: try refused.readToEnd(), as: UTF8.self))
            #expect((body["error"] as? [String: Any])?["code"] as? String == "busy")
            // The ones open go on; once one closes, a new one is served.
            try sockets[1].send("{\"v\":1,\"type\":\"status\",\"id\":\"s\"}")
            var answer: [String: Any] = [:]
            while answer["id"] as? String != "s", let text = try sockets[1].receive() { answer = ServerTests.object(text) }
            #expect(answer["type"] as? String == "status")
            sockets.removeLast()
            try await Task.sleep(for: .milliseconds(300))
            let fd = try Self.connect(port)
            defer { close(fd) }
            #expect(try ServerTests.exchange(fd, port: port).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func aSocketThatSendsNothingIsClosedAfterTheHeaderTimeout() async throws {
        try await ServerTests.withDaemon { port in
            let fd = try Self.connect(port, timeout: 20)
            defer { close(fd) }
            let start = ContinuousClock.now
            #expect(Self.isClosed(fd))
            let waited = ContinuousClock.now - start
            #expect(waited >= .seconds(9) && waited < .seconds(15), "closed after \(waited)")
        }
    }
}
