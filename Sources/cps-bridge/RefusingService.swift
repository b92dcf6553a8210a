import BridgeServer
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// What `serve` runs instead of the API when started by its socket unit with a configuration it
/// cannot serve with (no origin allowed, an invalid setting): it stays up so that the socket
/// does not trigger it again and again (and end in a start-limit failure), closes every
/// connection at once, tells systemd why in its `STATUS=` line, and keeps the watchdog fed.
/// Restarting the service after fixing the configuration brings the API up.
struct RefusingService: Service {
    let socket: InheritedSocket
    /// One line saying why, for `systemctl --user status`.
    let status: String
    let notifier: SystemdNotifier?

    func run() async throws {
        let descriptor = socket.descriptor
        // accept(2) blocks: a queue (so a thread) of its own, ended with the process.
        DispatchQueue(label: "cps-bridge refusing").async {
            while true {
                let connection = accept(descriptor, nil, nil)
                if connection >= 0 {
                    close(connection)
                } else if errno != EINTR && errno != ECONNABORTED {
                    return
                }
            }
        }
        notifier?.send("READY=1", "STATUS=\(status)")
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if notifier?.watchdogInterval != nil { notifier?.send("WATCHDOG=1") }
                try? await Task.sleep(for: notifier?.watchdogInterval ?? .seconds(5))
            }
        } onGracefulShutdown: {
            notifier?.send("STOPPING=1")
        }
    }
}
