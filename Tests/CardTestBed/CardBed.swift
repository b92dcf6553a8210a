import Foundation
import PCSC
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A reader of the bed: its PC/SC name and the TCP port a simulated card connects to. vpcd
/// readers have no keypad; the bed's simulated PIN-pad readers (`cps-pinpad-ifd`) have one.
public struct BedReader: Hashable, Sendable {
    public let name: String
    public let port: Int
    /// The PIN-pad reader's keypad socket (`Keypad`); `nil` for a vpcd reader.
    public let keypadSocketPath: String?

    init(name: String, port: Int, keypadSocketPath: String? = nil) {
        self.name = name
        self.port = port
        self.keypadSocketPath = keypadSocketPath
    }

    /// Whether this is one of the bed's simulated PIN-pad readers.
    public var isPINPad: Bool { keypadSocketPath != nil }
}

/// The test process's own pcscd with vpcd readers, in a private mount namespace (docs/TESTING.md),
/// so that it never touches another pcscd on the machine.
///
/// pcsc-lite reads `PCSCLITE_CSOCK_NAME` once per process, so there is one bed per test
/// process: `CardBed.shared()` starts it on first use and points this process at it. Tests
/// lease readers (`withReaders`) so that pulling a card in one test never disturbs another;
/// tests that stop pcscd take the whole bed (`withExclusiveBed`). The simulated PIN-pad readers
/// are leased apart (`withPINPadReaders`): `withReaders` only ever hands out vpcd readers.
public final class CardBed: @unchecked Sendable {
    // @unchecked: mutable state is behind `state` (a Mutex) and `pcscdLock`.
    public let directory: URL
    public let socketPath: String
    /// Every reader pcscd has: the vpcd readers (by port), then the PIN-pad readers.
    public private(set) var readers: [BedReader] = []
    /// The simulated PIN-pad readers; empty when `cps-pinpad-ifd` was not built
    /// (`withPINPadReaders` then fails with the reason).
    public var pinPadReaders: [BedReader] { readers.filter(\.isPINPad) }
    /// Why the bed has no PIN-pad readers, when it has none.
    public private(set) var pinPadProblem: String?
    /// The OpenSC configuration every test process uses: PIN cache off, card held while
    /// logged in (the daemon's own settings, CardModule), and room for a slot per bed reader.
    public let openSCConfigPath: String
    private let channels: [(name: String, port: Int)]
    private let state: Mutex<State>
    private let pcscdLock = ReadWriteLock()

    struct State {
        var pcscd: ChildProcess?
        var free: Set<BedReader>
        var freePINPads: Set<BedReader> = []
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Number of vpcd channels; each gives two readers.
    static let channelCount = 4
    /// Number of simulated PIN-pad readers ("CPS PIN Pad A", "CPS PIN Pad B").
    static let pinPadCount = 2

    private static let sharedBed = Mutex<Result<CardBed, TestBedError>?>(nil)

    /// The process's bed, started on first call.
    public static func shared() throws -> CardBed {
        try sharedBed.withLock { bed in
            if bed == nil {
                do { bed = .success(try CardBed()) } catch let error as TestBedError { bed = .failure(error) } catch {
                    bed = .failure(TestBedError("card bed: \(error)"))
                }
            }
            return try bed!.get()
        }
    }

    private init() throws {
        guard TestEnvironment.hasCardBed else {
            throw TestBedError("pcscd or the vpcd driver is not installed (run `make deps`): \(TestEnvironment.pcscdPath), \(TestEnvironment.vpcdDriverPath)")
        }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cps-bridge-bed.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("run"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("readers"), withIntermediateDirectories: true)
        directory = dir
        socketPath = dir.appendingPathComponent("run/pcscd.comm").path
        let base = try Self.freePortBase(count: Self.channelCount * 2 + Self.pinPadCount)
        var channels: [(String, Int)] = []
        // vpcd keeps its per-slot state in statics indexed by slot number, so two channels
        // served by one loaded copy of the driver overwrite each other (only the last one
        // configured works). Each channel gets a copy of the driver of its own.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("drivers"), withIntermediateDirectories: true)
        for i in 0..<Self.channelCount {
            let letter = String(UnicodeScalar(UInt8(65 + i)))
            let name = "CPS Bed \(letter)"
            let port = base + 2 * i
            channels.append((name, port))
            let driver = dir.appendingPathComponent("drivers/libifdvpcd-\(letter).so").path
            try FileManager.default.copyItem(atPath: URL(fileURLWithPath: TestEnvironment.vpcdDriverPath).resolvingSymlinksInPath().path, toPath: driver)
            let conf = "FRIENDLYNAME \"\(name)\"\nDEVICENAME /dev/null:0x\(String(port, radix: 16))\nLIBPATH \(driver)\nCHANNELID 0x\(String(port, radix: 16))\n"
            try conf.write(to: dir.appendingPathComponent("readers/vpcd-\(letter)"), atomically: true, encoding: .utf8)
        }
        self.channels = channels
        let pinPads = try Self.configurePINPads(in: dir, firstPort: base + Self.channelCount * 2)
        pinPadProblem = pinPads.problem
        openSCConfigPath = dir.appendingPathComponent("opensc.conf").path
        try """
        app default {
            framework pkcs15 {
                use_pin_caching = false;
                use_file_caching = false;
            }
            pkcs11 {
                lock_login = true;
                # OpenSC 0.23 makes slots_per_card (4) slots for each reader, up to
                # max_virtual_slots (16): only the first 4 of pcscd's readers would get one.
                max_virtual_slots = 64;
            }
        }
        """.write(toFile: openSCConfigPath, atomically: true, encoding: .utf8)
        setenv("PCSCLITE_CSOCK_NAME", socketPath, 1)
        setenv("OPENSC_CONF", openSCConfigPath, 1)
        state = Mutex(State(pcscd: nil, free: []))
        try startPCSCD()
        // Reader names come from pcscd: "<friendly name> <index> <slot>"; slot n listens on port+n.
        let context = try PCSCContext()
        var names: [String] = []
        let deadline = Date().addingTimeInterval(5)
        let expected = Self.channelCount * 2 + pinPads.readers.count
        while names.count < expected && Date() < deadline {
            names = (try? context.listReaders()) ?? []
            if names.count < expected { usleep(20_000) }
        }
        var readers: [BedReader] = []
        for name in names {
            guard let channel = channels.first(where: { name.hasPrefix($0.0 + " ") }),
                  let slot = Int(name.split(separator: " ").last ?? "", radix: 16) else { continue }
            readers.append(BedReader(name: name, port: channel.1 + slot))
        }
        guard readers.count == Self.channelCount * 2 else {
            throw TestBedError("pcscd listed \(names) instead of \(Self.channelCount * 2) vpcd readers (log: \(dir.path)/pcscd.log)")
        }
        // The friendly name becomes "<friendly name> <index> <slot>", as for vpcd.
        let pinPadReaders = pinPads.readers.compactMap { pad in
            names.first { $0.hasPrefix(pad.name + " ") }.map { BedReader(name: $0, port: pad.port, keypadSocketPath: pad.keypadSocketPath) }
        }
        guard pinPadReaders.count == pinPads.readers.count else {
            throw TestBedError("pcscd listed \(names) without the \(pinPads.readers.count) PIN-pad readers (log: \(dir.path)/pcscd.log)")
        }
        self.readers = readers.sorted { $0.port < $1.port } + pinPadReaders.sorted { $0.port < $1.port }
        state.withLock {
            $0.free = Set(readers)
            $0.freePINPads = Set(pinPadReaders)
        }
    }

    /// Starts pcscd (again) on the bed's socket and waits until it answers.
    public func startPCSCD() throws {
        let run = directory.appendingPathComponent("run").path
        let readersDir = directory.appendingPathComponent("readers").path
        let unshare = getuid() == 0 ? ["unshare", "-m", "--propagation", "private"] : ["unshare", "-rm", "--propagation", "private"]
        let process = try ChildProcess(
            unshare + ["sh", "-c", "mkdir -p /run/pcscd && mount --bind \(run) /run/pcscd && exec \(TestEnvironment.pcscdPath) --foreground -c \(readersDir)"],
            logPath: directory.appendingPathComponent("pcscd.log").path
        )
        state.withLock { $0.pcscd = process }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if process.isRunning, FileManager.default.fileExists(atPath: socketPath), (try? PCSCContext()) != nil { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw TestBedError("pcscd did not start: \(process.log)")
    }

    /// Stops pcscd (SIGTERM, or `signal`) and waits until it is gone.
    public func stopPCSCD(signal: Int32 = SIGTERM) {
        let process = state.withLock { state -> ChildProcess? in
            defer { state.pcscd = nil }
            return state.pcscd
        }
        process?.stop(signal: signal)
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    /// Runs `body` with `count` readers no other test uses meanwhile.
    public func withReaders<T>(_ count: Int = 1, _ body: ([BedReader]) async throws -> T) async throws -> T {
        precondition(count <= readers.count - pinPadReaders.count)
        let leased = await lease(count, pinPads: false)
        defer {
            waitUntilEmpty(leased)
            release(leased)
        }
        return try await pcscdLock.withReadLock { try await body(leased) }
    }

    /// Runs `body` with every reader and no other test running on the bed (for tests that
    /// stop or restart pcscd).
    public func withExclusiveBed<T>(_ body: ([BedReader]) async throws -> T) async throws -> T {
        try await pcscdLock.withWriteLock { try await body(readers) }
    }

    /// Waits (bounded) until pcscd reports `readers` empty, so that the next test that leases
    /// them starts with no card left over from the last one.
    private func waitUntilEmpty(_ readers: [BedReader]) {
        guard let context = try? PCSCContext() else { return }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            guard let states = try? context.currentStates(of: readers.map(\.name)),
                  states.contains(where: { $0.flags.contains(.present) }) else { return }
            usleep(50_000)
        }
    }

    /// Runs `body` with `count` of the simulated PIN-pad readers no other test uses meanwhile
    /// (each with its keypad: `Keypad(reader:)`). Leased and released like `withReaders`.
    /// - Throws: `TestBedError` when the bed has no PIN-pad readers (`cps-pinpad-ifd` not built).
    public func withPINPadReaders<T>(_ count: Int = 1, _ body: ([BedReader]) async throws -> T) async throws -> T {
        if let pinPadProblem { throw TestBedError(pinPadProblem) }
        precondition(count <= pinPadReaders.count)
        let leased = await lease(count, pinPads: true)
        defer {
            waitUntilEmpty(leased)
            release(leased)
        }
        return try await pcscdLock.withReadLock { try await body(leased) }
    }

    private func lease(_ count: Int, pinPads: Bool) async -> [BedReader] {
        func pool(_ state: State) -> Set<BedReader> { pinPads ? state.freePINPads : state.free }
        while true {
            let taken: [BedReader]? = state.withLock { state in
                guard pool(state).count >= count else { return nil }
                let chosen = Array(pool(state).sorted { $0.port < $1.port }.prefix(count))
                if pinPads {
                    chosen.forEach { state.freePINPads.remove($0) }
                } else {
                    chosen.forEach { state.free.remove($0) }
                }
                return chosen
            }
            if let taken { return taken }
            await withCheckedContinuation { continuation in
                let wake = state.withLock { state -> Bool in
                    if pool(state).count >= count { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if wake { continuation.resume() }
            }
        }
    }

    private func release(_ leased: [BedReader]) {
        let waiters = state.withLock { state in
            leased.forEach { reader in
                if reader.isPINPad { state.freePINPads.insert(reader) } else { state.free.insert(reader) }
            }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// A run of `count` free TCP ports on 127.0.0.1.
    static func freePortBase(count: Int) throws -> Int {
        for _ in 0..<50 {
            let base = Int.random(in: 20000...(60000 - count))
            if (base..<(base + count)).allSatisfy(isPortFree) { return base }
        }
        throw TestBedError("no run of \(count) free ports")
    }

    /// Whether nothing listens on TCP `port` of 127.0.0.1.
    public static func isPortFree(_ port: Int) -> Bool { LoopbackPorts.isFree(port) }
}
