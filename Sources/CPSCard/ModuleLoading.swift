import Logging
import OwnThreads
import PKCS11

/// The PKCS#11 module, loaded on a thread of its own while the daemon starts.
///
/// Loading is `dlopen` plus `C_Initialize`, and OpenSC's `C_Initialize` detects and binds
/// every card present (about 20 APDUs and 30 ms for a CPS3). Done in `CardService.init`, it
/// held up everything after it: the listener opened only once OpenSC was done. Now the
/// listener and the reader monitor start meanwhile, and whatever needs the module (a status
/// that reads a card, a login, a certificate) waits for it here.
final class ModuleLoading: Sendable {
    private let settled = SettledOnce<Result<PKCS11Module, AuthenticationError>>()

    /// Already settled: `failure` (nothing to load), or a result given by the caller.
    init(settled result: Result<PKCS11Module, AuthenticationError>) {
        settled.settle(result)
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
        thread.run { [settled] in
            do {
                let module = try load()
                logger.info("PKCS#11 module: \(module.path)")
                settled.settle(.success(module))
            } catch {
                settled.settle(Self.failure(error, logger: logger))
            }
        }
    }

    /// The module, or why there is none; nil while it is loading.
    var result: Result<PKCS11Module, AuthenticationError>? { settled.value }

    /// The module once loaded, or why there is none; nil only if the calling task is cancelled
    /// before then.
    func wait() async -> Result<PKCS11Module, AuthenticationError>? {
        await settled.wait()
    }
}
