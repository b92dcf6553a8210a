import Foundation
import PCSC
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A vpcd reader of the bed: its PC/SC name and the TCP port a simulated card connects to.
public struct BedReader: Hashable, Sendable {
    public let name: String
    public let port: Int
}

/// The test process's own pcscd with vpcd readers, in a private mount namespace (docs/TESTING.md),
/// so that it never touches another pcscd on the machine.
///
/// pcsc-lite reads `PCSCLITE_CSOCK_NAME` once per process, so there is one bed per test
/// process: `CardBed.shared()` starts it on first use and points this process at it. Tests
/// lease readers (`withReaders`) so that pulling a card in one test never disturbs another;
/// tests that stop pcscd take the whole bed (`withExclusiveBed`).
public final class CardBed: @unchecked Sendable {
    // @unchecked: mutable state is behind `state` (a Mutex) and `pcscdLock`.
    public let directory: URL
    public let socketPath: String
    public private(set) var readers: [BedReader] = []
    /// The OpenSC configuration every test process uses: PIN cache off, card held while
    /// logged in (the daemon's own settings, CardModule).
    public let openSCConfigPath: String
    private let channels: [(name: String, port: Int)]
    private let state: Mutex<State>
    private let pcscdLock = ReadWriteLock()

    struct State {
        var pcscd: ChildProcess?
        var free: Set<BedReader>
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Number of vpcd channels; each gives two readers.
    static let channelCount = 4

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
        let base = try Self.freePortBase(count: Self.channelCount * 2)
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
        openSCConfigPath = dir.appendingPathComponent("opensc.conf").path
        try """
        app default {
            framework pkcs15 {
                use_pin_caching = false;
                use_file_caching = false;
            }
            pkcs11 {
                lock_login = true;
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
        while names.count < Self.channelCount * 2 && Date() < deadline {
            names = (try? context.listReaders()) ?? []
            if names.count < Self.channelCount * 2 { usleep(20_000) }
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
        self.readers = readers.sorted { $0.port < $1.port }
        state.withLock { $0.free = Set(readers) }
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
        precondition(count <= readers.count)
        let leased = await lease(count)
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

    private func lease(_ count: Int) async -> [BedReader] {
        while true {
            let taken: [BedReader]? = state.withLock { state in
                guard state.free.count >= count else { return nil }
                let chosen = Array(state.free.sorted { $0.port < $1.port }.prefix(count))
                chosen.forEach { state.free.remove($0) }
                return chosen
            }
            if let taken { return taken }
            await withCheckedContinuation { continuation in
                let wake = state.withLock { state -> Bool in
                    if state.free.count >= count { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if wake { continuation.resume() }
            }
        }
    }

    private func release(_ leased: [BedReader]) {
        let waiters = state.withLock { state in
            leased.forEach { state.free.insert($0) }
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
