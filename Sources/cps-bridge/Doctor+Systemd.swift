#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ChildProcesses
import SmartCard

extension DoctorCommand {
    /// The user units: installed, enabled (for every account, or this one), active.
    func unitsCheck(dispatchMode: Bool, portServed: Bool) -> DoctorCheck {
        let unit = dispatchMode ? "cps-bridge-dispatched.service" : "cps-bridge.socket"
        let directories = ["/usr/lib/systemd/user", "/lib/systemd/user", "/etc/systemd/user"]
        guard directories.contains(where: { FileManager.default.fileExists(atPath: path("\($0)/\(unit)")) }) else {
            return .failed("units", "the user units are not installed (no \(unit) in /usr/lib/systemd/user)",
                           fix: "sudo apt-get install cps-bridge (from a source tree: install systemd/*.socket and *.service in /usr/lib/systemd/user/)")
        }
        guard let systemctl = ["/usr/bin/systemctl", "/bin/systemctl"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return .skipped("units", "\(unit) is installed; systemctl is not there to say more")
        }
        let rootArguments = root == "/" ? [] : ["--root=\(root)"]
        let global = runProgram(systemctl, rootArguments + ["--global", "is-enabled", unit]).output
        let userManager = root == "/" && ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].map {
            FileManager.default.fileExists(atPath: "\($0)/systemd/private")
        } == true
        let mine = userManager ? runProgram(systemctl, ["--user", "is-enabled", unit]).output : ""
        let enabled = ["enabled", "enabled-runtime", "static", "indirect", "alias"].contains(userManager ? mine : global)
        guard enabled else {
            let summary = "\(unit) is installed but not enabled (\(userManager ? mine : global)): nothing starts the daemon when a login page calls it"
            let fix = "sudo systemctl --global enable \(unit) (every account, from its next login); for this session now: systemctl --user enable --now \(unit)"
            return portServed ? .warning("units", summary, fix: fix) : .failed("units", summary, fix: fix)
        }
        guard userManager else { return .ok("units", "\(unit) is installed and enabled (\(global == "enabled" ? "for every account" : global))") }
        let active = runProgram(systemctl, ["--user", "is-active", unit]).output
        switch active {
        case "active":
            return .ok("units", "\(unit) is installed, enabled and active")
        case "failed":
            let units = dispatchMode ? unit : "cps-bridge.socket cps-bridge.service"
            return .failed("units", "\(unit) has failed", fix: "read why: journalctl --user -u cps-bridge -n 20; then systemctl --user reset-failed \(units) && systemctl --user start \(unit)")
        default:
            let fix = "systemctl --user start \(unit)"
            return portServed ? .warning("units", "\(unit) is enabled but \(active)", fix: fix) : .failed("units", "\(unit) is enabled but \(active)", fix: fix)
        }
    }

    /// Shared workstations: the dispatcher runs when it should (several people logged in).
    func dispatcherCheck(dispatchMode: Bool) -> DoctorCheck {
        let enable = "sudo systemctl enable --now cps-bridge-dispatch.socket cps-bridge-dispatch.service, then everyone logs in again (docs/INSTALL.md, \"Shared workstations\")"
        if dispatchMode {
            guard let systemctl = ["/usr/bin/systemctl", "/bin/systemctl"].first(where: FileManager.default.isExecutableFile(atPath:)),
                  FileManager.default.fileExists(atPath: "/run/systemd/system") else {
                return .ok("dispatcher", "shared workstation: the dispatcher's socket \(Self.dispatcherSocket) is there")
            }
            let state = runProgram(systemctl, ["is-active", "cps-bridge-dispatch.service"]).output
            return state == "active" ? .ok("dispatcher", "shared workstation: cps-bridge-dispatch.service is active")
                : .failed("dispatcher", "shared workstation: cps-bridge-dispatch.service is \(state)",
                          fix: "sudo systemctl restart cps-bridge-dispatch.service; journalctl -u cps-bridge-dispatch -n 20")
        }
        let users = (try? FileManager.default.contentsOfDirectory(atPath: path("/run/systemd/users")))?.filter { UInt32($0) != nil } ?? []
        if users.count > 1 {
            return .warning("dispatcher", "\(users.count) accounts are logged in at once and the dispatcher is off: only the daemon holding the port serves logins",
                            fix: enable)
        }
        return .ok("dispatcher", "single-user workstation (the dispatcher is off; for shared workstations: docs/INSTALL.md)")
    }

    /// Runs `program` and returns its status and its output's first line, trimmed.
    func runProgram(_ program: String, _ arguments: [String]) -> (status: Int32, output: String) {
        guard let process = try? SpawnedProcess(program, arguments) else { return (-1, "") }
        process.closeInput()
        let output = process.readToEnd()
        let status = process.wait()
        let first = String(decoding: output, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return (status, first.trimmingWhitespace)
    }
}
