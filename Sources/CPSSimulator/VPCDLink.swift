import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Plugs a `CPS3Card` into pcscd through vpcd: the card is the TCP client; one connection is
/// one inserted card. Frames both ways are a 2-byte big-endian length then the bytes; 1-byte
/// frames from vpcd are controls (`00` off, `01` on, `02` reset, `04` ATR), longer ones APDUs.
///
/// Runs on its own thread (never the cooperative pool). Reconnects every 100 ms while pcscd is
/// away. The control socket pulls, re-inserts and stalls the card through this type.
public final class VPCDLink: Sendable {
    private struct Control {
        var wantInserted = true
        var removeAfterVerify = false
        var stallAfterVerify = false
        var stalled = false
        var connected = false
        var stopping = false
        var fd: Int32 = -1
    }

    public let host: String
    public let port: UInt16
    private let card: CPS3Card
    private let control = Mutex(Control())
    private let say: @Sendable (String) -> Void

    /// - Parameter log: receives one line per connection change (never APDUs or PINs).
    public init(card: CPS3Card, host: String = "127.0.0.1", port: UInt16, log: @escaping @Sendable (String) -> Void) {
        self.card = card
        self.host = host
        self.port = port
        self.say = log
    }

    /// Starts the link's thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "vpcd-link"
        thread.start()
    }

    /// Pulls the card (closes the connection) and keeps it out until `insert()`.
    public func remove() {
        control.withLock { c in
            c.wantInserted = false
            if c.fd >= 0 { POSIXSocket.shutdownBoth(c.fd) }
        }
    }

    /// Ends the link for good: the card is pulled and the thread returns.
    public func stop() {
        control.withLock { c in
            c.stopping = true
            c.wantInserted = false
            if c.fd >= 0 { POSIXSocket.shutdownBoth(c.fd) }
        }
    }

    /// Inserts the card again (reconnects).
    public func insert() { control.withLock { $0.wantInserted = !$0.stopping } }

    /// Pulls the card right after the next successful PIN verification has been answered.
    public func removeAfterNextVerify() { control.withLock { $0.removeAfterVerify = true } }

    /// Stops answering APDUs (replies are held) until `resume()`.
    public func stall() { control.withLock { $0.stalled = true } }
    public func resume() { control.withLock { $0.stalled = false } }

    /// Hides the PIN's tries left from GET DATA (`true`), or shows them again.
    public func hidePINCounter(_ hidden: Bool) { card.setPINCounterHidden(hidden) }

    /// Holds the reply to the first command after the next successful PIN verification (the
    /// card then stays verified until `resume`).
    public func stallAfterNextVerify() { control.withLock { $0.stallAfterVerify = true } }

    /// One line: inserted, connected, stalled, verified, triesLeft.
    public var status: String {
        let c = control.withLock { $0 }
        let pin = card.pinState
        return "inserted=\(c.wantInserted) connected=\(c.connected) stalled=\(c.stalled) "
            + "verified=\(pin.verified) triesLeft=\(pin.triesLeft) removeAfterVerify=\(c.removeAfterVerify)"
    }

    private func run() {
        var waiting = false
        while !control.withLock({ $0.stopping }) {
            guard control.withLock({ $0.wantInserted }) else { usleep(20_000); continue }
            guard let fd = POSIXSocket.connectTCP(host: host, port: port) else {
                if !waiting { say("waiting: vpcd \(host):\(port) not reachable, retrying every 100 ms") }
                waiting = true
                usleep(100_000)
                continue
            }
            waiting = false
            let registered = control.withLock { c -> Bool in
                guard c.wantInserted else { return false }
                c.fd = fd
                c.connected = true
                return true
            }
            guard registered else { close(fd); continue }
            say("inserted: connected to vpcd \(host):\(port)")
            let reason = serve(fd)
            control.withLock { c in
                c.fd = -1
                c.connected = false
            }
            close(fd)
            card.powerOff()
            say("removed: \(reason)")
            usleep(100_000)
        }
    }

    /// Serves frames until the connection ends; returns why it ended.
    private func serve(_ fd: Int32) -> String {
        while true {
            guard let header = POSIXSocket.readExactly(fd, 2, quickAck: true),
                  case let length = Int(header[0]) << 8 | Int(header[1]),
                  let payload = POSIXSocket.readExactly(fd, length, quickAck: true) else {
                return control.withLock { $0.wantInserted } ? "vpcd closed the connection" : "card pulled (remove)"
            }
            if payload.count == 1 {
                switch payload[0] {
                case 0x00: card.powerOff()
                case 0x01: card.powerOn()
                case 0x02: card.reset()
                case 0x04:
                    guard POSIXSocket.writeAll(fd, frame(card.atr)) else { return "write failed" }
                default: break
                }
                continue
            }
            guard !payload.isEmpty else { continue }
            let exchange = card.exchange(payload)
            while control.withLock({ $0.stalled && $0.wantInserted }) { usleep(10_000) }
            guard control.withLock({ $0.wantInserted }) else { return "card pulled while a reply was held" }
            guard POSIXSocket.writeAll(fd, frame(exchange.response)) else { return "write failed" }
            if exchange.event == .pinVerified {
                let pull = control.withLock { c -> Bool in
                    guard c.removeAfterVerify else { return false }
                    c.removeAfterVerify = false
                    c.wantInserted = false
                    return true
                }
                if pull { return "card pulled after PIN verification (remove-after-verify)" }
                control.withLock { c in
                    if c.stallAfterVerify {
                        c.stallAfterVerify = false
                        c.stalled = true
                    }
                }
            }
        }
    }

    private func frame(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }
}
