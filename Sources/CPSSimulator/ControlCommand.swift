/// The control socket's commands.
public enum ControlCommand: String, Sendable, CaseIterable {
    /// Close the vpcd connection (card pulled) and stay out.
    case remove
    /// Reconnect (card inserted).
    case insert
    /// Pull the card right after the next successful PIN verification has been answered.
    case removeAfterVerify = "remove-after-verify"
    /// Hold the replies from the first command after the next successful PIN verification on
    /// (the card stays verified, its holder stuck mid-login), until `resume`.
    case stallAfterVerify = "stall-after-verify"
    /// Leave the tries left out of the PIN descriptor (GET DATA): the counter cannot be read
    /// without spending a try.
    case hidePINCounter = "hide-pin-counter"
    /// Show the tries left again.
    case showPINCounter = "show-pin-counter"
    /// Hold APDU replies.
    case stall
    /// Answer again.
    case resume
    /// One status line.
    case status

    /// Runs the command line `line` against `link`; returns the answer line.
    public static func answer(_ line: String, link: VPCDLink) -> String {
        guard let command = ControlCommand(rawValue: line.lowercased()) else {
            return "error: unknown command '\(line.prefix(40))' (known: \(allCases.map(\.rawValue).joined(separator: ", ")))"
        }
        switch command {
        case .remove: link.remove()
        case .insert: link.insert()
        case .removeAfterVerify: link.removeAfterNextVerify()
        case .stallAfterVerify: link.stallAfterNextVerify()
        case .hidePINCounter: link.hidePINCounter(true)
        case .showPINCounter: link.hidePINCounter(false)
        case .stall: link.stall()
        case .resume: link.resume()
        case .status: return link.status
        }
        return "ok"
    }
}
