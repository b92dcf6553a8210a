import BridgeServer
import CardTestBed
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bounded per peer: 64 connections at once, silent ones making room for a new client, a
/// clear 503 when all are busy, silent sockets closed after the header timeout.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(3)))
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

    /// What the server sent, up to its close, on those of `fds` it wrote to within 2 s.
    static func answered(_ fds: [Int32]) -> [String] {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        guard poll(&polled, nfds_t(polled.count), 2000) > 0 else { return [] }
        return polled.filter { $0.revents != 0 }.map { readAll($0.fd) }
    }

    /// Everything the server sends on `fd` until it closes it.
    static func readAll(_ fd: Int32) -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func silentSocketsAtTheLimitMakeRoomForABrowser() async throws {
        try await ServerTests.withDaemon { port in
            var silent: [Int32] = []
            defer { silent.forEach { close($0) } }
            for _ in 0..<64 { silent.append(try Self.connect(port)) }
            // Younger than the eviction grace: a burst of clients whose requests are on their
            // way. The next one is answered 503, and nobody is evicted.
            let early = try RawWebSocket(port: port, origin: ServerTests.page)
            #expect(early.status == 503, "\(early.responseHead)")
            #expect(early.responseHeaders["retry-after"] == "1")
            try await Task.sleep(for: .milliseconds(1200))
            // Past the grace, a page's WebSocket is served at once: the oldest silent socket
            // made room, and was told so (503 busy) before it was closed.
            let page = try RawWebSocket(port: port, origin: ServerTests.page)
            #expect(page.status == 101)
            #expect(ServerTests.object(try #require(try page.receive()))["type"] as? String == "status")
            let told = Self.answered(silent)
            #expect(told.count == 1, "\(told.count) silent sockets were answered")
            #expect(told.first?.hasPrefix("HTTP/1.1 503") == true, "the evicted socket got no 503: \(told)")
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

    @Test func aKeptAliveConnectionIsClosedAfterItsIdleTimeNotBefore() async throws {
        try await ServerTests.withDaemon { port in
            let fd = try Self.connect(port, timeout: 30)
            defer { close(fd) }
            #expect(try ServerTests.exchange(fd, port: port).hasPrefix("HTTP/1.1 200"))
            // 12 s of silence (past the 10 s header time: that one is for the first request
            // only), then a second request on the same connection is still served.
            try await Task.sleep(for: .seconds(12))
            #expect(try ServerTests.exchange(fd, port: port).hasPrefix("HTTP/1.1 200"))
            let start = ContinuousClock.now
            #expect(Self.isClosed(fd))
            let waited = ContinuousClock.now - start
            #expect(waited >= .seconds(14) && waited < .seconds(20), "closed after \(waited)")
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
