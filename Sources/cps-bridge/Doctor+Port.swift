#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension DoctorCommand {
    /// Who holds the daemon's port: our daemon (or this account's socket unit, which starts it),
    /// another account's daemon, the dispatcher, another program, or nobody.
    func portCheck(port: Int, dispatchMode: Bool) -> DoctorCheck {
        let address = "127.0.0.1:\(port)"
        let listeners = PortListener.find(port: port)
        guard let listener = listeners.first else {
            return dispatchMode
                ? .failed("port", "nothing listens on \(address): the dispatcher is down", fix: "sudo systemctl restart cps-bridge-dispatch.socket")
                : .failed("port", "nothing listens on \(address): the browser cannot reach cps-bridge",
                          fix: "systemctl --user enable --now cps-bridge.socket (or sudo systemctl --global enable cps-bridge.socket, then log in again)")
        }
        let who = listener.pid.map { "\(listener.program ?? "?"), pid \($0), " } ?? ""
        let owner = "\(who)account \(PortListener.userName(listener.uid))"
        // The daemon's answer tells it apart from another program (a first connection may start
        // it through its socket unit: give it time).
        let answer = loopbackStatus(port: port, timeoutSeconds: 15)
        let ours = answer.map { $0.status == 200 && $0.body.contains("\"readers\"") && $0.body.contains("\"v\"") } ?? false
        if ours {
            if listener.uid == getuid() { return .ok("port", "cps-bridge answers on \(address) (\(owner))") }
            if dispatchMode { return .ok("port", "the dispatcher answers on \(address) (\(owner))") }
            return .failed("port", "another account's cps-bridge holds \(address) (\(owner)): this session's logins would reach that person's daemon",
                           fix: "on a shared workstation, turn the dispatcher on: sudo systemctl enable --now cps-bridge-dispatch.socket cps-bridge-dispatch.service, then everyone logs in again (docs/INSTALL.md, \"Shared workstations\")")
        }
        if dispatchMode, let answer, answer.status == 503, answer.body.contains("\"bridgeNotRunning\"") {
            return .failed("port", "the dispatcher answers on \(address) (\(owner)) but no daemon of this account is registered with it",
                           fix: "systemctl --user restart cps-bridge-dispatched.service, then read why if it fails: journalctl --user -u cps-bridge-dispatched -n 20")
        }
        if listener.uid == getuid() && (listener.program == "systemd" || listener.program == "cps-bridge") {
            return .failed("port", "\(address) is this account's socket (\(owner)) but the daemon behind it does not answer",
                           fix: "read why: journalctl --user -u cps-bridge.service -n 20 (the FAILED checks above usually say it)")
        }
        return .failed("port", "another program holds \(address) (\(owner)): cps-bridge cannot listen there",
                       fix: listener.pid.map { "stop it (sudo kill \($0)) or move it to another port, then systemctl --user restart cps-bridge.socket" }
                           ?? "find it with sudo ss -ltnp 'sport = :\(port)', stop it, then systemctl --user restart cps-bridge.socket")
    }
}
