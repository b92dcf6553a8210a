#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT for a long-running command (`cps-bridge serve`), without libdispatch.
///
/// swift-service-lifecycle's own signal handling (`gracefulShutdownSignals`) uses dispatch
/// signal sources: starting them runs a dispatch worker thread, which ends a few seconds later
/// (one more wake-up of an idle daemon after each start). Here a signal handler writes one
/// byte to a pipe (the only async-signal-safe thing it needs) and a thread of our own, asleep
/// in `read(2)`, turns each byte into a call of the action.
public enum ShutdownSignals {
    /// Calls `action` on a thread of its own for each SIGTERM or SIGINT from now on. Call once.
    public static func onSignal(_ action: @escaping @Sendable () -> Void) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            preconditionFailure("pipe(2) failed: errno \(errno)")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        signalPipe = descriptors[1]
        let watcher = Watcher(descriptor: descriptors[0], action: action)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<Watcher>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(watcher).toOpaque())
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
        for number in [SIGTERM, SIGINT] {
            signal(number) { _ in
                let saved = errno
                var byte: UInt8 = 1
                _ = write(signalPipe, &byte, 1)
                errno = saved
            }
        }
    }

    private final class Watcher: @unchecked Sendable {
        // @unchecked: used by its own thread only, once handed over.
        let descriptor: Int32
        let action: @Sendable () -> Void

        init(descriptor: Int32, action: @escaping @Sendable () -> Void) {
            self.descriptor = descriptor
            self.action = action
        }

        func run() {
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count == 1 {
                    action()
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// The pipe's write end, for the signal handler (a C function pointer captures nothing).
nonisolated(unsafe) private var signalPipe: Int32 = -1
