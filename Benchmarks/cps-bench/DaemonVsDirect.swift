import ArgumentParser
import CardTestBed
import Foundation
import PCSC
import PKCS11
import SmartCard

/// One login through the real `cps-bridge serve` against the same PKCS#11 calls made
/// directly in this process, on one bed and one card, in one run (BENCHMARKS.md, the daemon).
///
/// (a) direct: OpenSC in process, warm session, key found once; per login `C_Login`, `C_Sign`
/// (RSA-PKCS over a DigestInfo), `C_Logout`.
/// (a') the same plus the daemon's own card work per login, as `CardSession` does it: the
/// PIN-tries GET DATA over an own PC/SC connection in a transaction (`CardPINQuery`), the key
/// looked up by label and ID, and the closing `SCardDisconnect(RESET)` (`endLogin`).
/// (b) through the daemon: `POST /v1/authenticate` on one keep-alive connection.
/// (a') and (b) alternate in blocks (`--block`, 1 by default: one login of each in turn), so
/// that a load that comes and goes on the machine lands in both series, not in one: (b) - (a')
/// is their difference.
/// Each (b) answer's `Server-Timing` gives the time of its card calls, as the daemon measured
/// it: the wall time less that is the daemon's own share of that login, paired, free of the
/// card chain's own variation (BENCHMARKS.md, "the daemon's share measured per login").
/// Also `pkcs11-tool --login --sign` runs for their APDU count.
struct DaemonVsDirect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon-vs-direct",
        abstract: "Time logins through cps-bridge serve (HTTP) against direct in-process PKCS#11, and count APDUs.")

    @Option(help: "Timed logins in each series (after one untimed first login).") var logins = 200
    @Option(help: "pkcs11-tool runs, for the APDU reference.") var toolRuns = 5
    @Option(help: "Logins of (a') then of (b) in each turn: the two series alternate in blocks of this size.") var block = 1
    @OptionGroup var daemon: DaemonBinaryOption
    @OptionGroup var card: CardOptions

    func validate() throws {
        guard logins >= 2 else { throw ValidationError("--logins must be at least 2") }
        guard block >= 1 else { throw ValidationError("--block must be at least 1") }
    }

    /// Per-phase times of the (a') series.
    struct Phases: Sendable {
        var pinQuery = Samples(), login = Samples(), find = Samples(), sign = Samples(), logout = Samples(), reset = Samples()
    }

    struct Results: Sendable {
        var tool: [APDUCensus] = []
        var directFirst = (time: 0.0, census: APDUCensus())
        var direct = Samples()
        var directCensus: [APDUCensus] = []
        var fullFirst = (time: 0.0, census: APDUCensus())
        var full = Samples()
        var fullCensus: [APDUCensus] = []
        var phases = Phases()
        var daemonStart = APDUCensus()
        var status = (time: 0.0, census: APDUCensus())
        var daemonCold = (time: 0.0, census: APDUCensus())
        var daemon = Samples()
        /// The daemon's card calls of each (b) login, from its `Server-Timing` header, in the
        /// order of `daemon`.
        var daemonCard = Samples()
        var daemonCensus: [APDUCensus] = []
        var origins = 0
        /// `409 busy` answers to a login sent right after the previous one's answer (retried).
        var busyRetries = 0
    }

    func run() async throws {
        printHeader("daemon-vs-direct")
        let logins = logins, toolRuns = toolRuns, block = block
        let binary = daemon.path
        let results = try await BenchBed.withCard(arguments: card.simulatorArguments) { card in
            let log = APDULogFollower(path: card.apduLogPath)
            var results = Results()

            // pkcs11-tool, a new process per run: the APDU reference (~49).
            let input = card.stateDirectory.appendingPathComponent("digestinfo.bin")
            try Data(DigestInfo.sha256([UInt8](repeating: 0x5A, count: 32))).write(to: input)
            for _ in 0..<toolRuns {
                let output = card.stateDirectory.appendingPathComponent("signature.bin")
                try? FileManager.default.removeItem(at: output)
                let result = try TestEnvironment.pkcs11Tool(["--login", "--pin", "1234", "--sign", "-m", "RSA-PKCS",
                                                             "--label", "CPS_PRIV_AUT", "-i", input.path, "-o", output.path])
                guard result.status == 0 else { throw BenchError("pkcs11-tool exited \(result.status):\n\(result.output)") }
                results.tool.append(try log.next())
            }

            // (a) and (a'): OpenSC in this process.
            let module = try PKCS11Module.load(path: TestEnvironment.openSCModulePath)
            guard let slot = try module.slots(readerName: card.reader.name, tokenPresent: true).first else {
                throw BenchError("OpenSC shows no token in \(card.reader.name)")
            }
            let session = try slot.openSession()
            let digestInfo = DigestInfo.sha256([UInt8](repeating: 0x5A, count: 32))
            let pin: [UInt8] = Array("1234".utf8)
            // The private key shows only once logged in: find it once, in a first login.
            try pin.withUnsafeBytes { try session.login(.user, pin: $0) }
            let label = try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT")
            guard label.count == 1 else { throw BenchError("\(label.count) keys labelled CPS_PRIV_AUT") }
            let key = label[0]
            let keyID = try session.attribute(.id, of: key)
            try session.logout()
            _ = try log.next()

            // (a): C_Login, C_Sign, C_Logout.
            for i in 0...logins {
                let (signature, elapsed) = try timed { () throws -> [UInt8] in
                    try pin.withUnsafeBytes { try session.login(.user, pin: $0) }
                    let signature = try session.sign(digestInfo, mechanism: .rsaPKCS, key: key)
                    try session.logout()
                    return signature
                }
                guard signature.count == 256 else { throw BenchError("\(signature.count)-byte signature") }
                if i == 0 {
                    results.directFirst = (milliseconds(elapsed), try log.next())
                } else {
                    results.direct.append(elapsed)
                    results.directCensus.append(try log.next())
                }
            }

            // (b)'s daemon: started, first status, first (cold) login, all untimed for the series.
            let origins = DaemonProcess.benchOrigins((logins + 1 + 24) / 25)
            results.origins = origins.count
            let bed = try CardBed.shared()
            let server = try DaemonProcess.serve(binary: binary, origins: origins, bed: bed,
                                                 logPath: bed.directory.appendingPathComponent("serve.log").path)
            defer { server.stop() }
            try server.waitUntilListening()
            let connection = try RawHTTPConnection(port: server.port)
            results.daemonStart = try log.next()
            let (status, statusTime) = try timed { try connection.request("GET", "/v1/status") }
            guard status.status == 200, status.text.contains("\"cps3\"") else { throw BenchError("status \(status.status): \(status.text)") }
            results.status = (milliseconds(statusTime), try log.next())

            // (a'): what CardService.authenticate does on the card, in its order.
            let clock = ContinuousClock()
            func fullLogin() throws -> (Duration, Phases, APDUCensus) {
                var phases = Phases()
                let start = clock.now
                var mark = start
                func lap(_ samples: WritableKeyPath<Phases, Samples>) {
                    let now = clock.now
                    phases[keyPath: samples].append(now - mark)
                    mark = now
                }
                guard try Self.pinTriesLeft(reader: card.reader.name) != nil else { throw BenchError("PIN tries not readable") }
                lap(\.pinQuery)
                try? session.logout()
                try pin.withUnsafeBytes { try session.login(.user, pin: $0) }
                lap(\.login)
                let keys = try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT")
                let matching = try keys.first { try session.attribute(.id, of: $0) == keyID }
                let byID = try session.findObjects(class: .privateKey, id: keyID).first
                guard let found = matching ?? byID else { throw BenchError("no key") }
                lap(\.find)
                let signature = try session.sign(digestInfo, mechanism: .rsaPKCS, key: found)
                lap(\.sign)
                try session.logout()   // sign's defer
                try? session.logout()  // endLogin
                lap(\.logout)
                let resetting = try CardConnection(context: PCSCContext(), reader: card.reader.name)
                try resetting.disconnect(.reset)
                lap(\.reset)
                guard signature.count == 256 else { throw BenchError("\(signature.count)-byte signature") }
                return (mark - start, phases, try log.next())
            }

            // (b): the daemon, one keep-alive connection.
            func daemonLogin(_ i: Int) throws -> (Duration, Double, APDUCensus) {
                let body = Array("{\"nonce\":\"\(freshNonce())\",\"pin\":\"1234\"}".utf8)
                let headers = [("Origin", origins[i % origins.count]), ("Content-Type", "application/json")]
                var (response, elapsed) = try timed { try connection.request("POST", "/v1/authenticate", headers: headers, body: body) }
                // A 409 busy right after the previous login's answer (the card still claimed:
                // the previous call's end not yet counted) is counted and retried; only the
                // login that went through is timed.
                while response.status == 409, response.text.contains("\"busy\""), results.busyRetries < 1000 {
                    results.busyRetries += 1
                    usleep(1_000)
                    (response, elapsed) = try timed { try connection.request("POST", "/v1/authenticate", headers: headers, body: body) }
                }
                guard response.status == 200, response.text.contains("\"signature\"") else {
                    throw BenchError("login \(i + 1): \(response.status) \(response.text)")
                }
                guard let card = response.field("server-timing").flatMap(Self.cardMilliseconds) else {
                    throw BenchError("login \(i + 1): no Server-Timing card time in \(response.head)")
                }
                return (elapsed, card, try log.next())
            }

            // The first of each, untimed for the series: (a') after the daemon's status, (b) cold.
            let (fullTime, _, fullCensus) = try fullLogin()
            results.fullFirst = (milliseconds(fullTime), fullCensus)
            let (coldTime, _, coldCensus) = try daemonLogin(0)
            results.daemonCold = (milliseconds(coldTime), coldCensus)
            // Then (a') and (b) in turn, `block` logins at a time, so that both series see the
            // same machine: a load that comes and goes lands in both rather than in one.
            var done = 0
            while done < logins {
                let count = min(block, logins - done)
                for _ in 0..<count {
                    let (elapsed, phases, census) = try fullLogin()
                    results.full.append(elapsed)
                    results.fullCensus.append(census)
                    for path in [\Phases.pinQuery, \.login, \.find, \.sign, \.logout, \.reset] {
                        results.phases[keyPath: path].append(milliseconds: phases[keyPath: path].values[0])
                    }
                }
                for i in 0..<count {
                    let (elapsed, card, census) = try daemonLogin(done + i + 1)
                    results.daemon.append(elapsed)
                    results.daemonCard.append(milliseconds: card)
                    results.daemonCensus.append(census)
                }
                done += count
            }
            try session.close()
            try module.finalize()
            return results
        }

        print("pkcs11-tool --login --sign (new process each, n=\(results.tool.count)): \(range(results.tool.map(\.total))) APDUs")
        print("  by INS:       \(breakdown(results.tool))")
        print("(a) direct, in process, warm session: C_Login + C_Sign + C_Logout")
        print("  first:        \(results.directFirst.census.total) APDUs, \(ms(results.directFirst.time)) ms")
        print("  warm APDUs:   \(range(results.directCensus.map(\.total)))  by INS: \(breakdown(results.directCensus))")
        print("  warm wall:    \(results.direct.summary)")
        print("(a') (a) + the daemon's card work: PIN-tries GET DATA (own connection, transaction), key by label and ID, SCardDisconnect(RESET)")
        print("  first (after the daemon's status): \(results.fullFirst.census.total) APDUs, \(ms(results.fullFirst.time)) ms")
        print("  APDUs:        \(range(results.fullCensus.map(\.total)))  by INS: \(breakdown(results.fullCensus))")
        print("  wall:         \(results.full.summary)")
        print("  phases:       PIN query \(brief(results.phases.pinQuery)); C_Login \(brief(results.phases.login)); find key \(brief(results.phases.find))")
        print("                C_Sign \(brief(results.phases.sign)); C_Logout x2 \(brief(results.phases.logout)); reset \(brief(results.phases.reset))")
        print("(b) cps-bridge serve, POST /v1/authenticate on one keep-alive connection (\(results.origins) origins in turn: 30 logins/min/origin);")
        print("    (a') and (b) alternate in blocks of \(block) logins")
        print("  start:        \(results.daemonStart.total) APDUs until listening")
        print("  GET /v1/status: \(results.status.census.total) APDUs, \(ms(results.status.time)) ms  by INS: \(results.status.census.breakdown)")
        print("  login 1 (cold): \(results.daemonCold.census.total) APDUs, \(ms(results.daemonCold.time)) ms  by INS: \(results.daemonCold.census.breakdown)")
        print("  409 busy answers retried (a login sent right after the previous answer, the card still claimed): \(results.busyRetries)")
        print("  warm APDUs:   \(range(results.daemonCensus.map(\.total)))  by INS: \(breakdown(results.daemonCensus))")
        print("  warm wall:    \(results.daemon.summary)")
        // Each (b) login's wall time less its card calls: the daemon's own share, per login.
        var own = Samples()
        for (wall, card) in zip(results.daemon.values, results.daemonCard.values) { own.append(milliseconds: wall - card) }
        print("  card calls:   \(results.daemonCard.summary)   (the answer's Server-Timing: the card stack's calls)")
        print("  own share:    \(own.summary)   (each login's wall less its card calls)")
        let a = results.direct, full = results.full, b = results.daemon
        print("differences (of the percentiles):")
        print("  (b) - (a):    median \(signed(b.median - a.median))  p99 \(signed(b.percentile(99) - a.percentile(99))) ms   (target: p99 at most +2 ms)")
        print("  (a') - (a):   median \(signed(full.median - a.median))  p99 \(signed(full.percentile(99) - a.percentile(99))) ms   (the card work the daemon adds)")
        print("  (b) - (a'):   median \(signed(b.median - full.median))  p99 \(signed(b.percentile(99) - full.percentile(99))) ms   (HTTP, JSON, token, scheduling)")
        let card = results.daemonCard
        print("  card calls - (a'): median \(signed(card.median - full.median))  p99 \(signed(card.percentile(99) - full.percentile(99))) ms   (the daemon's card work against the bench's)")
        print("paired, per login (the card chain's own variation taken out):")
        print("  (b) - card calls: median \(ms(own.median))  p99 \(ms(own.percentile(99))) ms   (the daemon's own share; target: p99 under 1 ms)")
    }

    /// The `card;dur=` milliseconds of a `Server-Timing` value.
    static func cardMilliseconds(_ value: String) -> Double? {
        guard let range = value.range(of: "card;dur=") else { return nil }
        return Double(value[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    /// `CardPINQuery.read`: own context and connection, a transaction, SELECT MF, GET DATA of
    /// the PIN's security data object, disconnect leaving the card.
    static func pinTriesLeft(reader: String) throws -> Int? {
        let connection = try CardConnection(context: PCSCContext(), reader: reader)
        defer { try? connection.disconnect(.leave) }
        return try connection.withTransaction { card -> Int? in
            let select = try ResponseAPDU(bytes: card.transmit(CommandAPDU.select(p1: 0x09, p2: 0x0C, [0x3F, 0x00]).bytes))
            guard select.status.isSuccess else { return nil }
            let answer = try ResponseAPDU(bytes: card.transmit(CommandAPDU.pinTriesLeft(reference: 0x01).bytes))
            guard answer.status.isSuccess, let object = try? BERTLV.parse(answer.data).0 else { return nil }
            return object.find(0x9B)?.value.last.map(Int.init)
        }
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

/// `0.123/0.456` (median/p99, ms).
func brief(_ samples: Samples) -> String { "\(ms(samples.median))/\(ms(samples.percentile(99)))" }

func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + ms(value) }
