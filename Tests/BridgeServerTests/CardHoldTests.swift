import CardTestBed
import Foundation
import PCSC
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `cps-bridge serve` killed in the middle of a login: the card it verified is not
/// left verified for the next program. OpenSC holds the card in a PC/SC transaction from
/// `C_Login` (`lock_login`), and pcscd resets a card whose transaction holder dies.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct CardHoldTests {
    /// The card's answer to a VERIFY status query (no PIN, spends no try) from a connection of
    /// this process; retried while pcscd still holds the card for the dead daemon.
    static func verificationStatus(_ reader: BedReader) throws -> UInt16 {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                let connection = try CardConnection(context: PCSCContext(), reader: reader.name)
                _ = try connection.transmit([0x00, 0xA4, 0x09, 0x0C, 0x02, 0x3F, 0x00]) // SELECT MF
                let status = try connection.transmit([0x00, 0x20, 0x00, 0x01])
                return UInt16(status[status.count - 2]) << 8 | UInt16(status[status.count - 1])
            } catch {
                guard Date() < deadline else { throw error }
                usleep(100_000)
            }
        }
    }

    @Test func aDaemonKilledMidLoginLeavesTheCardNotVerified() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let port = try LoopbackPorts.free()
            let log = card.stateDirectory.appendingPathComponent("daemon.log").path
            let daemon = try await ServeProcess.start([
                "--listen", "127.0.0.1:\(port)", "--allow-origin", ServerTests.page, "--allow-page-pin", ServerTests.page,
                "--log-level", "debug",
            ], logPath: log)
            defer { daemon.stop() }
            // The card verifies the PIN, then holds its next answer: the daemon is stuck mid-login
            // with a verified card.
            try card.control("stall-after-verify")
            let login = Task {
                _ = try? await ServerTests.http(port, "POST", "/v1/authenticate", headers: ["Origin": ServerTests.page, "Content-Type": "application/json"],
                                                body: "{\"nonce\":\"\(ServerTests.nonce())\",\"pin\":\"1234\"}")
            }
            defer { login.cancel() }
            let verified = ContinuousClock.now + .seconds(15)
            while !(try card.control("status")).contains("stalled=true verified=true") {
                guard ContinuousClock.now < verified else { throw TestBedError("the card was not verified: \(try card.control("status"))") }
                try await Task.sleep(for: .milliseconds(20))
            }
            kill(daemon.pid, SIGKILL)
            let dead = ContinuousClock.now + .seconds(5)
            while daemon.isRunning && ContinuousClock.now < dead { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!daemon.isRunning)
            try card.control("resume")
            // Another program: the card answers 63 C3 (three tries, not verified), not 90 00.
            #expect(try Self.verificationStatus(readers[0]) == 0x63C3)
            #expect(try card.control("status").contains("verified=false"))
        }
    }
}
