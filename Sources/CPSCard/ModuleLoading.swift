import Logging
import OwnThreads
import PKCS11
import Synchronization

/// The PKCS#11 module, loaded on a thread of its own while the daemon starts.
///
/// Loading is `dlopen` plus `C_Initialize`, and OpenSC's `C_Initialize` detects and binds
/// every card present (about 20 APDUs and 30 ms for a CPS3). Done in `CardService.init`, it
/// held up everything after it: the listener opened only once OpenSC was done. Now the
/// listener and the reader monitor start meanwhile, and whatever needs the module (a status
/// that reads a card, a login, a certificate) waits for it here.
final class ModuleLoading: Sendable {
    private struct State {
        var result: Result<PKCS11Module, AuthenticationError>?
        var waiters: [UInt64: CheckedContinuation<Result<PKCS11Module, AuthenticationError>?, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Already settled: `failure` (nothing to load), or a result given by the caller.
    init(settled result: Result<PKCS11Module, AuthenticationError>) {
        state.withLock { $0.result = result }
    }

    /// Settled with no module: `error` (from locating, preparing or loading it) is logged and
    /// kept as the reason every card call gives.
    convenience init(failed error: any Error, logger: Logger) {
        self.init(settled: Self.failure(error, logger: logger))
    }

    private static func failure(_ error: any Error, logger: Logger) -> Result<PKCS11Module, AuthenticationError> {
        logger.error("no PKCS#11 module: \(error)")
        return .failure(.internal(detail: String(describing: error)))
    }

    /// Runs `load` on a new thread, which ends once the module is loaded (or has failed).
    init(logger: Logger, load: @escaping @Sendable () throws -> PKCS11Module) {
        let thread = DedicatedThread(name: "pkcs11-load")
        thread.run { [self] in
            do {
                let module = try load()
                logger.info("PKCS#11 module: \(module.path)")
                settle(.success(module))
            } catch {
                settle(Self.failure(error, logger: logger))
            }
        }
    }

    /// The module, or why there is none; nil while it is loading.
    var result: Result<PKCS11Module, AuthenticationError>? { state.withLock { $0.result } }

    private func settle(_ result: Result<PKCS11Module, AuthenticationError>) {
        let waiters = state.withLock { state in
            state.result = result
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume(returning: result) }
    }

    /// The module once loaded, or why there is none; nil only if the calling task is cancelled
    /// before then.
    func wait() async -> Result<PKCS11Module, AuthenticationError>? {
        if let result { return result }
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Result<PKCS11Module, AuthenticationError>?? in
                    if let result = state.result { return .some(result) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }
}
