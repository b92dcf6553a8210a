import CPSCard
import ServiceLifecycle
import Synchronization

/// What `serve` tells systemd (`Type=notify`): `READY=1` once the listener and the reader
/// monitor are up, a `STATUS=` line a person can read (`systemctl --user status cps-bridge`)
/// after every reader or card change, and `STOPPING=1` when a graceful shutdown begins.
final class SystemdStatus: Service, Sendable {
    let notifier: SystemdNotifier
    let cards: CardService
    private let listening = Mutex<String?>(nil)

    init(notifier: SystemdNotifier, cards: CardService) {
        self.notifier = notifier
        self.cards = cards
    }

    /// Called once the listener is up on `address`: waits for the reader monitor's first view
    /// of pcscd (or its first failure to reach it) and for the PKCS#11 module to load (at most
    /// 3 s in all), then sends `READY=1` with the status.
    func listenerReady(address: String) async {
        await cards.waitUntilReady(timeout: .seconds(3))
        listening.withLock { $0 = address }
        notifier.send("READY=1", "STATUS=" + statusLine())
    }

    func run() async throws {
        let events = cards.monitor.events()
        try await withGracefulShutdownHandler {
            try await cancelWhenGracefulShutdown {
                for await _ in events where self.listening.withLock({ $0 != nil }) {
                    self.notifier.send("STATUS=" + self.statusLine())
                }
            }
        } onGracefulShutdown: {
            self.notifier.send("STOPPING=1", "STATUS=Stopping")
        }
    }

    /// "Serving 127.0.0.1:24830: 2 readers, 1 card (CPS3 in Gemalto PC Twin Reader 00 00)".
    func statusLine() -> String {
        let address = listening.withLock { $0 } ?? "-"
        guard cards.monitor.isServiceAvailable else { return "Serving \(address): pcscd unreachable (cps-bridge doctor)" }
        let readers = cards.monitor.readers
        let cardsIn = readers.compactMap { reader in reader.card.map { "\($0.kind.rawValue) in \(reader.name)" } }
        var line = "Serving \(address): \(readers.count) reader\(readers.count == 1 ? "" : "s"), \(cardsIn.count) card\(cardsIn.count == 1 ? "" : "s")"
        if !cardsIn.isEmpty { line += " (" + cardsIn.joined(separator: ", ") + ")" }
        if !cards.isModuleSettled {
            line += "; the PKCS#11 module is loading"
        } else if cards.modulePath == nil {
            line += "; no PKCS#11 module (cps-bridge doctor)"
        }
        return line
    }
}
