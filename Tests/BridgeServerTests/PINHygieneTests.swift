import BridgeServer
import CardTestBed
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `cps-bridge serve` as a sysadmin runs it, at the most verbose log level: a distinctive
/// PIN, right and wrong, over HTTP and over the WebSocket, leaves no trace in its log, in
/// ASCII, hex or BCD (the WebSocket library logs the first bytes of each frame at trace: the
/// daemon hands it a logger capped at debug).
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct PINHygieneTests {
    @Test func aTraceLevelRunNeverLogsThePIN() async throws {
        try await CardBed.shared().withReaders { readers in
            let pin = "7391"
            let card = try SimulatedCard(reader: readers[0], arguments: ["--pin", pin])
            defer { card.stop() }
            let port = try LoopbackPorts.free()
            let log = card.stateDirectory.appendingPathComponent("daemon.log").path
            let daemon = try await ServeProcess.start([
                "--listen", "127.0.0.1:\(port)", "--allow-origin", ServerTests.page, "--allow-page-pin", ServerTests.page,
                "--log-level", "trace",
            ], logPath: log)
            defer { daemon.stop() }
            let headers = ["Origin": ServerTests.page, "Content-Type": "application/json"]
            let wrong = try await ServerTests.http(port, "POST", "/v1/authenticate", headers: headers,
                                                   body: "{\"nonce\":\"\(ServerTests.nonce())\",\"pin\":\"7390\"}")
            #expect(ServerTests.errorCode(wrong) == "pinIncorrect")
            let right = try await ServerTests.http(port, "POST", "/v1/authenticate", headers: headers,
                                                   body: "{\"nonce\":\"\(ServerTests.nonce())\",\"pin\":\"\(pin)\"}")
            #expect(right.status == 200)
            // Over the WebSocket, the PIN first in the frame (the part a frame trace would show).
            // One login at a time per card: the wrong PIN's answer first, then the right one.
            var answers: [String] = []
            for (id, sent) in [("1", "7390"), ("2", pin)] {
                answers += try await ServerTests.webSocket(port, origin: ServerTests.page, send: [
                    "{\"pin\":\"\(sent)\",\"v\":1,\"type\":\"authenticate\",\"id\":\"\(id)\",\"nonce\":\"\(ServerTests.nonce())\"}",
                ], until: { texts in texts.contains { $0.contains("\"id\":\"\(id)\"") } })
            }
            #expect(answers.contains { $0.contains("pinIncorrect") })
            #expect(answers.contains { $0.contains("\"type\":\"result\"") }, "\(answers)")
            try await Task.sleep(for: .milliseconds(200))
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("trace") || text.contains("debug"), "the log is at its most verbose")
            #expect(text.contains("process not dumpable"), "the daemon made itself non-dumpable")
            for candidate in ["7391", "7390", "37 33 39 31", "37333931", "37 33 39 30", "37333930", "73 91", "73 90", "7391FF", "7390FF",
                              "24 73 91", "\"pin\""] {
                #expect(!text.contains(candidate), "\(candidate) found in the daemon's log")
            }
            // SIGTERM (systemd's stop) ends the daemon promptly.
            kill(daemon.pid, SIGTERM)
            let stopBy = ContinuousClock.now + .seconds(5)
            while daemon.isRunning && ContinuousClock.now < stopBy { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!daemon.isRunning, "serve ignored SIGTERM")
        }
    }
}
