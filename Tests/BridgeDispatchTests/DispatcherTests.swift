import CardTestBed
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A PC shared by several accounts, for real: `cps-bridge dispatch` as its own account on
/// 127.0.0.1 and ::1, the daemons of cpsb-alice and cpsb-bob registered with it, requests from
/// processes of those accounts and of cpsb-carol, who has no daemon.
@Suite(.enabled(if: UnixAccounts.runTests, "needs root to create the test accounts (cpsb-*)"), .serialized, .timeLimit(.minutes(2)))
struct DispatcherTests {
    static let alice = "cpsb-alice"
    static let bob = "cpsb-bob"
    static let carol = "cpsb-carol"

    @Test func eachAccountReachesItsOwnDaemonThroughTheSamePort() async throws {
        let bed = try DispatchBed()
        defer { bed.stop() }
        try await bed.startDispatcher()
        try await bed.startDaemon(Self.alice)
        try await bed.startDaemon(Self.bob)

        for (host, port) in [("127.0.0.1", bed.port4), ("::1", bed.port6)] {
            for account in [Self.alice, Self.bob] {
                // Each daemon allows only its account's origin: the CORS echo says whose answered.
                let own = try AccountClient.get(as: account, host: host, port: port, origin: DispatchBed.origin(of: account))
                #expect(own.status == 200, "\(account) on \(host): \(own)")
                #expect(own.headers["access-control-allow-origin"] == DispatchBed.origin(of: account), "\(own)")
                let other = account == Self.alice ? Self.bob : Self.alice
                let foreign = try AccountClient.get(as: account, host: host, port: port, origin: DispatchBed.origin(of: other))
                #expect(foreign.status == 403 && foreign.errorCode == "originNotAllowed", "\(account) reached \(other)'s daemon: \(foreign)")
            }
        }
        // An account with no daemon: 503 bridgeNotRunning, never another account's daemon.
        for (host, port) in [("127.0.0.1", bed.port4), ("::1", bed.port6)] {
            let none = try AccountClient.get(as: Self.carol, host: host, port: port, origin: DispatchBed.origin(of: Self.alice))
            #expect(none.status == 503, "\(none)")
            #expect(none.errorCode == "bridgeNotRunning", "\(none)")
            #expect(none.headers["access-control-allow-origin"] == nil)
        }
        let log = bed.dispatcher?.log ?? ""
        #expect(log.contains("registered the daemon of uid \(try UnixAccounts.ensure(Self.alice).uid)"), "\(log)")
        #expect(log.contains("no daemon registered for uid \(try UnixAccounts.ensure(Self.carol).uid)"), "\(log)")
    }

    @Test func noOtherAccountCanTakeThePort() async throws {
        let bed = try DispatchBed()
        defer { bed.stop() }
        try await bed.startDispatcher()
        for account in [Self.carol, Self.alice] {
            #expect(try AccountClient.bind(as: account, host: "127.0.0.1", port: bed.port4) == "errno \(EADDRINUSE)")
            #expect(try AccountClient.bind(as: account, host: "::1", port: bed.port6) == "errno \(EADDRINUSE)")
        }
    }

    @Test func aDaemonKilledMidRequestThenRestartedServesTheNextRequest() async throws {
        let bed = try DispatchBed()
        defer { bed.stop() }
        try await bed.startDispatcher()
        let daemon = try await bed.startDaemon(Self.alice)

        // A request under way at alice's daemon (half a head sent, the daemon waiting for the rest).
        let holder = Process()
        let command = try UnixAccounts.command(as: Self.alice, ["/usr/bin/python3", "-c", AccountClient.hold, String(bed.port4)])
        holder.executableURL = URL(fileURLWithPath: command[0])
        holder.arguments = Array(command.dropFirst())
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        let first = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(first.hasPrefix("sent"), "\(first)")
        try await Task.sleep(for: .milliseconds(300))
        daemon.stop(signal: SIGKILL)
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        holder.waitUntilExit()
        #expect((first + rest).contains("closed"), "the held request was not ended: \(first + rest)")

        // Meanwhile: no daemon, so 503 (the dispatcher saw it go, or finds it gone when sending).
        let meanwhile = try AccountClient.get(as: Self.alice, port: bed.port4, origin: DispatchBed.origin(of: Self.alice))
        #expect(meanwhile.status == 503 && meanwhile.errorCode == "bridgeNotRunning", "\(meanwhile)")

        try await bed.startDaemon(Self.alice)
        let next = try AccountClient.get(as: Self.alice, port: bed.port4, origin: DispatchBed.origin(of: Self.alice))
        #expect(next.status == 200, "\(next)")
        #expect(next.headers["access-control-allow-origin"] == DispatchBed.origin(of: Self.alice))
    }

    @Test func aRestartedDispatcherGetsItsDaemonsBack() async throws {
        let bed = try DispatchBed()
        defer { bed.stop() }
        try await bed.startDispatcher()
        let daemon = try await bed.startDaemon(Self.alice)
        let before = daemon.log.count
        bed.dispatcher?.stop()
        try await DispatchBed.wait(for: "dropped the registration", in: daemon, what: "alice's daemon", after: before)
        try await bed.startDispatcher()
        try await DispatchBed.wait(for: "registered again with the dispatcher", in: daemon, what: "alice's daemon", after: before)
        let answer = try AccountClient.get(as: Self.alice, port: bed.port4, origin: DispatchBed.origin(of: Self.alice))
        #expect(answer.status == 200, "\(answer)")
    }

    @Test func aDaemonWithNoDispatcherSaysSoAndKeepsTrying() async throws {
        let bed = try DispatchBed()
        defer { bed.stop() }
        let daemon = try await bed.startDaemon(Self.alice, waitFor: "cannot register with the dispatcher at \(bed.registry)")
        try await bed.startDispatcher()
        try await DispatchBed.wait(for: "registered with the dispatcher", in: daemon, what: "the daemon")
    }
}
