import CPSCard
import CPSIdentity
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import PCSC
import SmartCard
#if canImport(Glibc)
import Glibc
#endif

extension DoctorCommand {
    /// pcscd, the readers, the cards and their kind, the PKCS#11 module, each CPx card's token.
    func cardStackChecks(environment: [String: String]) async -> [DoctorCheck] {
        let pcscd = Self.pcscdCheck(environment: environment)
        let configuredModule = modulePath ?? environment["CPS_BRIDGE_PKCS11_MODULE"]
        let service = CardService(configuration: .init(modulePath: configuredModule), logger: Logger(label: "cps-bridge.doctor"))
        let running = Task { try await service.run() }
        defer { running.cancel() }
        await service.waitForModule()
        let report = pcscd.outcome == .ok ? await service.status() : nil
        let module = Self.moduleCheck(configured: configuredModule, loaded: service.modulePath, report: report)
        guard let report else {
            return [pcscd, .skipped("readers", "pcscd is not reachable"), .skipped("cards", "pcscd is not reachable"), module,
                    .skipped("tokens", "pcscd is not reachable")]
        }
        return [pcscd, Self.readersCheck(report), Self.cardsCheck(report), module, Self.tokensCheck(report, module: service.modulePath)]
    }

    static func pcscdCheck(environment: [String: String]) -> DoctorCheck {
        let socket = environment["PCSCLITE_CSOCK_NAME"] ?? "/run/pcscd/pcscd.comm"
        let polkit = ["/usr/share/polkit-1/actions/org.debian.pcsc-lite.policy"].contains(where: FileManager.default.fileExists(atPath:))
        do {
            _ = try PCSCContext()
            return .ok("pcscd", "pcscd answers on \(socket)" + (polkit ? " (pcsc-lite with polkit: this session is allowed)" : ""))
        } catch {
            if !FileManager.default.fileExists(atPath: socket) || Self.connectionRefused(socket) {
                let install = FileManager.default.fileExists(atPath: "/usr/sbin/pcscd") ? "" : "sudo apt-get install pcscd (dnf install pcsc-lite on RHEL-likes), then "
                return .failed("pcscd", "pcscd is not running: nothing answers on its socket \(socket)",
                               fix: install + "sudo systemctl enable --now pcscd.socket")
            }
            if polkit {
                return .failed("pcscd", "pcscd refuses this account: pcsc-lite's polkit policy (org.debian.pcsc-lite.access_pcsc) lets in active local sessions only",
                               fix: "run from the desktop session at the workstation, or allow the account with a polkit rule (docs/INSTALL.md, \"pcsc-lite 2.x and polkit\")")
            }
            return .failed("pcscd", "pcscd does not answer on \(socket) (\(error))",
                           fix: "sudo systemctl restart pcscd.socket pcscd.service, then read its log: journalctl -u pcscd")
        }
    }

    static func readersCheck(_ report: StatusReport) -> DoctorCheck {
        guard !report.readers.isEmpty else {
            return .failed("readers", "no card reader is connected",
                           fix: "plug in the reader; if it is plugged in, check that `lsusb` lists it and that its driver is installed (sudo apt-get install libccid)")
        }
        let names = report.readers.map(\.name).joined(separator: ", ")
        return .ok("readers", "\(report.readers.count) reader\(report.readers.count == 1 ? "" : "s"): \(names)")
    }

    static func cardsCheck(_ report: StatusReport) -> DoctorCheck {
        let cards = report.readers.compactMap { reader in reader.card.map { (reader.name, $0) } }
        guard !cards.isEmpty else {
            return report.readers.isEmpty ? .skipped("cards", "no reader")
                : .failed("cards", "no card in any reader", fix: "insert the CPS card in the reader (chip first, facing up)")
        }
        let described = cards.map { "\($0.1.kind.rawValue) in \($0.0)" }.joined(separator: ", ")
        if cards.contains(where: { $0.1.kind.canAuthenticate }) { return .ok("cards", described) }
        let (reader, card) = cards[0]
        let atr = card.atr.hexString
        let why = card.kind.unsupportedReason ?? "the card cannot be used"
        return .failed("cards", "card not recognised: the card in \(reader) (\(card.kind.rawValue), ATR \(atr)): \(why)",
                       fix: card.kind == .unknown ? "insert a CPS3 or CPS4 card; if this is one, report its ATR to the cps-bridge maintainers"
                           : why)
    }

    static func moduleCheck(configured: String?, loaded: String?, report: StatusReport?) -> DoctorCheck {
        let install = "sudo apt-get install opensc-pkcs11 (CPS3 cards), or install ANS's Cryptolib CPS (CPS3 and CPS4; docs/INSTALL.md)"
        guard let loaded else {
            do {
                let found = try CardModule.locate(configured: configured)
                return .failed("pkcs11-module", "the PKCS#11 module \(found) is there but does not load",
                               fix: "reinstall it (sudo apt-get install --reinstall opensc-pkcs11), or name a working one with pkcs11-module in /etc/cps-bridge/cps-bridge.conf")
            } catch {
                return .failed("pkcs11-module", "no PKCS#11 module: \(error)", fix: configured == nil ? install : "correct pkcs11-module in the configuration, or remove it to use the one installed; \(install)")
            }
        }
        let cps4 = report?.readers.contains { $0.card?.kind == .cps4 } ?? false
        if cps4 && !loaded.contains("cps3_pkcs11") {
            return .warning("pkcs11-module", "\(loaded) loads, but a CPS4 card is inserted and only ANS's Cryptolib CPS knows CPS4",
                            fix: "install Cryptolib CPS 5.2 or later (docs/INSTALL.md, \"Cryptolib CPS\")")
        }
        return .ok("pkcs11-module", "\(loaded) loads")
    }

    static func tokensCheck(_ report: StatusReport, module: String?) -> DoctorCheck {
        let usable = report.readers.compactMap { reader in reader.card.flatMap { $0.kind.canAuthenticate ? (reader.name, $0) : nil } }
        guard let module else { return .skipped("tokens", "no PKCS#11 module") }
        guard !usable.isEmpty else { return .skipped("tokens", "no CPx card") }
        var seen: [String] = []
        for (reader, card) in usable {
            guard let holder = card.holder else {
                return .failed("tokens", "the PKCS#11 module \(module) shows no usable token for the \(card.kind.rawValue) card in \(reader)\(card.problem.map { " (\($0))" } ?? "")",
                               fix: "check what the module sees: pkcs11-tool --module \(module) --list-token-slots; a CPS4 card needs Cryptolib CPS")
            }
            let name = [holder.givenName, holder.familyName].compactMap { $0 }.joined(separator: " ")
            seen.append("\(reader): \(name.isEmpty ? "-" : name) (\(holder.nationalId.value))" + (card.pin.map { ", PIN \($0.state.rawValue)" } ?? ""))
        }
        return .ok("tokens", seen.joined(separator: "; "))
    }

    /// Whether connecting to the Unix socket at `path` is refused (a socket file left behind by
    /// a pcscd that stopped).
    static func connectionRefused(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(107))
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result != 0 && errno == ECONNREFUSED
    }
}
