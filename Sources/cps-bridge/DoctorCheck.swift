/// One check of `cps-bridge doctor`: what was looked at, what was found, and when something is
/// wrong, the command (or the step) that fixes it.
struct DoctorCheck: Encodable, Sendable {
    enum Outcome: String, Encodable, Sendable {
        /// Fine.
        case ok
        /// Worth knowing, but a login can still work.
        case warning
        /// A login cannot work until this is fixed.
        case failed
        /// Not looked at: an earlier check failed, or it does not apply here.
        case skipped
    }

    /// A stable name: `pcscd`, `readers`, `cards`, `pkcs11-module`, `tokens`, `configuration`,
    /// `origins`, `port`, `units`, `dispatcher`, `browser`.
    let check: String
    let outcome: Outcome
    /// What was found, in one sentence.
    let summary: String
    /// What fixes it: a command or a step, when the outcome is not ok.
    let fix: String?

    static func ok(_ check: String, _ summary: String) -> DoctorCheck { .init(check: check, outcome: .ok, summary: summary, fix: nil) }
    static func warning(_ check: String, _ summary: String, fix: String) -> DoctorCheck { .init(check: check, outcome: .warning, summary: summary, fix: fix) }
    static func failed(_ check: String, _ summary: String, fix: String) -> DoctorCheck { .init(check: check, outcome: .failed, summary: summary, fix: fix) }
    static func skipped(_ check: String, _ summary: String) -> DoctorCheck { .init(check: check, outcome: .skipped, summary: summary, fix: nil) }

    /// The check as a person reads it: `[FAILED] pcscd: ...` then `  fix: ...`.
    var text: String {
        let label = switch outcome {
        case .ok: "[ok]    "
        case .warning: "[warn]  "
        case .failed: "[FAILED]"
        case .skipped: "[skip]  "
        }
        return "\(label) \(check): \(summary)\n" + (fix.map { "         fix: \($0)\n" } ?? "")
    }
}
