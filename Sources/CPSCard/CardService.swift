import CPSIdentity
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import PCSC
#if canImport(Glibc)
import Glibc
#endif
import PKCS11
import ServiceLifecycle
import Synchronization

/// The card domain as one service: the reader monitor, the PKCS#11 module, one
/// `CardSession` per inserted card, the status, and logins driven by `AuthenticationFlow`.
public final class CardService: Service, Sendable {
    public struct Configuration: Sendable {
        /// A PKCS#11 module to use instead of discovery.
        public var modulePath: String?
        /// A pinentry program for the native prompt; `nil` for none.
        public var pinentryProgram: String?
        /// Upper bound of each card operation (PIN state, verify, sign).
        public var operationTimeout: Duration
        /// How long the person has to answer the native prompt.
        public var pinPromptTimeout: Duration
        /// Where the daemon keeps its own files (the OpenSC configuration).
        public var runtimeDirectory: String
        /// Liveness pings from the card worker (systemd's watchdog), if wanted.
        public var watchdog: CardWatchdog?
        /// Which PIN-pad path may be taken (docs/PIN-ENTRY.md).
        public var pinPad: PINPadPolicy
        /// How long the holder has to type the PIN on a reader's pad (1 to 255 s).
        public var pinPadTimeout: Duration

        public init(modulePath: String? = nil, pinentryProgram: String? = nil, operationTimeout: Duration = .seconds(30),
                    pinPromptTimeout: Duration = .seconds(60), runtimeDirectory: String = CardService.defaultRuntimeDirectory,
                    watchdog: CardWatchdog? = nil, pinPad: PINPadPolicy = .automatic, pinPadTimeout: Duration = .seconds(30)) {
            self.pinPad = pinPad
            self.pinPadTimeout = pinPadTimeout
            self.modulePath = modulePath
            self.pinentryProgram = pinentryProgram
            self.operationTimeout = operationTimeout
            self.pinPromptTimeout = pinPromptTimeout
            self.runtimeDirectory = runtimeDirectory
            self.watchdog = watchdog
        }
    }

    /// `$XDG_RUNTIME_DIR/cps-bridge`, else `cps-bridge-<uid>` in the temporary directory
    /// (`$TMPDIR`, else `/tmp`). Either is made and checked as a `PrivateDirectory`.
    public static var defaultRuntimeDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !dir.isEmpty { return dir + "/cps-bridge" }
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return temporary + (temporary.hasSuffix("/") ? "" : "/") + "cps-bridge-\(getuid())"
    }

    public let configuration: Configuration
    public let monitor: ReaderMonitor
    let logger: Logger
    /// The PKCS#11 module, loaded on a thread of its own from `init` on (`ModuleLoading`).
    let module: ModuleLoading
    /// The CPx cards present at start, read over PC/SC before the module loads.
    let earlyReads: EarlyCardReads
    private let state = Mutex(State())
    /// Card calls under way, for the watchdog (CardService+Watchdog.swift).
    let cardCalls = Mutex(CardCalls())

    struct State {
        /// Per reader: the session of the card in it, with the insertion counter it belongs to.
        var sessions: [String: (counter: UInt16, atr: [UInt8], session: CardSession)] = [:]
        /// Per reader: logins and card calls under way (including stalled ones after a timeout).
        var activity: [String: Int] = [:]
        /// pcscd restarted: the module must be re-initialised before its next use.
        var moduleNeedsReinitialization = false
    }

    public convenience init(configuration: Configuration, logger: Logger = Logger(label: "cps-bridge.cards")) {
        let load: Result<@Sendable () throws -> PKCS11Module, any Error>
        do {
            let path = try CardModule.locate(configured: configuration.modulePath)
            try CardModule.prepare(runtimeDirectory: configuration.runtimeDirectory, logger: logger)
            load = .success { try PKCS11Module.load(path: path) }
        } catch {
            load = .failure(error)
        }
        self.init(configuration: configuration, logger: logger, load: load)
    }

    /// With the module loaded by `load` (tests hold a load back with it), on a thread of its
    /// own that first reads the CPx cards present over PC/SC (`EarlyCardReads`).
    init(configuration: Configuration, logger: Logger, load: Result<@Sendable () throws -> PKCS11Module, any Error>) {
        self.configuration = configuration
        self.logger = logger
        monitor = ReaderMonitor(logger: logger)
        switch load {
        case .success(let load):
            let early = EarlyCardReads()
            earlyReads = early
            module = ModuleLoading(logger: logger) {
                early.readCardsPresent(logger: logger)
                return try load()
            }
        case .failure(let error):
            earlyReads = .none()
            module = ModuleLoading(failed: error, logger: logger)
        }
    }

    /// The module in use, once loaded; nil while it loads or if none could be.
    public var modulePath: String? { try? module.result?.get().path }

    /// Whether the module has loaded (or failed to): nothing waits for it any more.
    public var isModuleSettled: Bool { module.result != nil }

    /// Waits until the module has loaded or failed to (`modulePath` is then final).
    public func waitForModule() async {
        _ = await module.wait()
    }

    /// Waits until the reader monitor has its first view (at most `monitorTimeout`, its own
    /// default otherwise) and the module has loaded (or failed to), as everything that may
    /// touch a card must.
    func waitUntilReady(monitorTimeout: Duration = .seconds(5)) async {
        await monitor.waitUntilSynchronised(timeout: monitorTimeout)
        _ = await module.wait()
    }

    /// Waits, at most `timeout` in all, for what `waitUntilReady` waits for (systemd's
    /// readiness).
    public func waitUntilReady(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            // Both waits end when the group is cancelled; the monitor's gets the same bound.
            group.addTask { await self.waitUntilReady(monitorTimeout: timeout) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs the reader monitor and follows its events until the task is cancelled or the
    /// service group shuts down (SIGTERM, SIGINT).
    public func run() async throws {
        let events = monitor.events()
        try await cancelWhenGracefulShutdown {
            try await self.runMonitor(events)
        }
    }

    private func runMonitor(_ events: AsyncStream<ReaderEvent>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.monitor.run() }
            group.addTask {
                for await event in events {
                    self.handle(event)
                }
            }
            if let watchdog = self.configuration.watchdog {
                group.addTask { await self.runWatchdog(watchdog) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func handle(_ event: ReaderEvent) {
        switch event {
        case .cardRemoved(let reader), .readerRemoved(let reader):
            _ = state.withLock { $0.sessions.removeValue(forKey: reader) }
            earlyReads.forget(reader: reader)
        case .serviceRestored:
            // After pcscd restarts, the module must re-read its readers (docs/CARDS.md). It is done
            // before the next card call, never under one.
            state.withLock { state in
                state.sessions.removeAll()
                state.moduleNeedsReinitialization = true
            }
            earlyReads.forgetAll()
        default:
            break
        }
    }

    /// The session of the card now in `reader` (a new one for a new insertion).
    func session(for snapshot: ReaderSnapshot) throws(AuthenticationError) -> CardSession {
        guard let card = snapshot.card else { throw .noCard }
        guard let loaded = module.result else { throw .internal(detail: "the PKCS#11 module is still loading") }
        let module = try loaded.get()
        let reinitialize = state.withLock { state -> Bool in
            guard state.moduleNeedsReinitialization, state.activity.values.allSatisfy({ $0 <= 1 }) else { return false }
            state.moduleNeedsReinitialization = false
            return true
        }
        if reinitialize {
            do { try module.reinitialize() } catch { logger.warning("PKCS#11 re-initialisation failed: \(error)") }
        }
        return state.withLock { state in
            if let existing = state.sessions[snapshot.name], existing.counter == snapshot.eventCounter, existing.atr == card.atr {
                return existing.session
            }
            let known = earlyReads.take(for: snapshot)
            let session = CardSession(reader: snapshot.name, presence: card, module: module, logger: logger, known: known,
                                      releaseModule: { [weak self] in self?.releaseModuleHold(busyReader: snapshot.name) ?? false })
            state.sessions[snapshot.name] = (snapshot.eventCounter, card.atr, session)
            return session
        }
    }

    /// Re-initialises the module now, unless a card in another reader is in use (then it is
    /// done before the next card call). Every session is dropped: their handles die with it.
    /// Called after a refused `C_Login`, which leaves OpenSC holding the card (CardSession).
    func releaseModuleHold(busyReader: String) -> Bool {
        guard let module = try? module.result?.get() else { return false }
        let now = state.withLock { state -> Bool in
            state.sessions.removeAll()
            guard state.activity.allSatisfy({ $0.key == busyReader || $0.value <= 0 }) else {
                state.moduleNeedsReinitialization = true
                return false
            }
            return true
        }
        guard now else { return false }
        do {
            try module.reinitialize()
            return true
        } catch {
            logger.warning("PKCS#11 re-initialisation after a refused PIN failed: \(error)")
            state.withLock { $0.moduleNeedsReinitialization = true }
            return false
        }
    }

    /// Marks `reader` busy; false if something already runs on it.
    func claim(_ reader: String) -> Bool {
        state.withLock { state in
            guard state.activity[reader, default: 0] == 0 else { return false }
            state.activity[reader] = 1
            return true
        }
    }

    func release(_ reader: String) { adjustActivity(reader, by: -1) }

    /// Counts calls under way on `reader`; a stalled call keeps it busy until it really ends.
    func adjustActivity(_ reader: String, by delta: Int) {
        state.withLock { $0.activity[reader, default: 0] += delta }
    }
}
