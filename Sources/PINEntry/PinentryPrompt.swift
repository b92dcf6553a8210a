#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a native PIN prompt shows: who asks, whose card, how many tries are left.
public struct PINPromptRequest: Sendable {
    public var origin: String
    public var holderName: String?
    public var nationalId: String?
    public var triesLeft: Int?
    /// Ask for an explicit confirmation first: the next wrong PIN blocks the card.
    public var confirmFinalTry: Bool

    public init(origin: String, holderName: String?, nationalId: String?, triesLeft: Int?, confirmFinalTry: Bool) {
        self.origin = origin
        self.holderName = holderName
        self.nationalId = nationalId
        self.triesLeft = triesLeft
        self.confirmFinalTry = confirmFinalTry
    }

    /// The prompt's text, French first (the users are French health professionals).
    public var description: String {
        var lines = ["\(origin) demande à vous identifier avec votre carte CPS."]
        if let holderName { lines.append("Titulaire : \(holderName)" + (nationalId.map { " (\($0))" } ?? "")) }
        if let triesLeft {
            lines.append("Essais restants : \(triesLeft)")
        } else if confirmFinalTry {
            lines.append("Essais restants : inconnu (traité comme le dernier) / tries left: unknown (treated as the last)")
        }
        lines.append("")
        lines.append("\(origin) asks you to log in with your CPS card.")
        return lines.joined(separator: "\n")
    }

    public var finalTryWarning: String {
        "Dernier essai : un code faux bloquera la carte. Continuer ?\nLast try: a wrong PIN will block the card. Continue?"
    }
}

/// What the prompt gave back.
public enum PINPromptResult: Sendable {
    case pin(SecretPIN, finalTryConfirmed: Bool)
    case cancelled
}

/// A native PIN prompt through a pinentry program, speaking the Assuan protocol on its
/// standard input and output (the same programs GnuPG uses: pinentry-gnome3, -qt, -gtk2).
///
/// Blocking: call it off the cooperative pool.
public struct PinentryPrompt: Sendable {
    public let program: String
    /// How long the person has to answer.
    public let timeout: Duration

    public init(program: String, timeout: Duration = .seconds(60)) {
        self.program = program
        self.timeout = timeout
    }

    /// Shows the prompt and waits for the person.
    /// - Parameter cancellation: takes the prompt down from another thread (`PinentryError.cancelled`).
    /// - Throws: `PinentryError` when the program cannot be started or breaks the protocol.
    public func ask(_ request: PINPromptRequest, cancellation: PromptCancellation? = nil) throws -> PINPromptResult {
        let session = try AssuanSession(program: program, timeout: timeout, cancellation: cancellation)
        defer { session.close() }
        let seconds = Int(timeout.components.seconds)
        try session.command("SETTIMEOUT \(seconds)")
        try session.command("SETTITLE " + AssuanSession.escape("cps-bridge"))
        try session.command("SETDESC " + AssuanSession.escape(request.description))
        try session.command("SETPROMPT " + AssuanSession.escape("Code PIN :"))
        var confirmed = false
        if request.confirmFinalTry {
            try session.command("SETDESC " + AssuanSession.escape(request.finalTryWarning + "\n\n" + request.description))
            switch try session.request("CONFIRM") {
            case .ok: confirmed = true
            case .cancelled: return .cancelled
            case .data: throw PinentryError.protocolError("data in answer to CONFIRM")
            }
            try session.command("SETDESC " + AssuanSession.escape(request.description))
        }
        switch try session.request("GETPIN") {
        case .data(let pin): return .pin(pin, finalTryConfirmed: confirmed)
        case .ok: return .cancelled // an empty answer: nothing to verify, no try spent
        case .cancelled: return .cancelled
        }
    }
}

extension PinentryPrompt {
    /// Asks only for a confirmation (the final try on a PIN-pad reader, where the PIN itself
    /// is typed on the reader). True when the person confirmed.
    public func confirm(_ request: PINPromptRequest, cancellation: PromptCancellation? = nil) throws -> Bool {
        let session = try AssuanSession(program: program, timeout: timeout, cancellation: cancellation)
        defer { session.close() }
        try session.command("SETTIMEOUT \(Int(timeout.components.seconds))")
        try session.command("SETTITLE " + AssuanSession.escape("cps-bridge"))
        try session.command("SETDESC " + AssuanSession.escape(request.finalTryWarning + "\n\n" + request.description))
        if case .ok = try session.request("CONFIRM") { return true }
        return false
    }
}

/// Why the prompt could not be shown.
public enum PinentryError: Error, Hashable, Sendable {
    case cannotStart(String)
    case protocolError(String)
    case timeout
    /// Taken down by its `PromptCancellation`.
    case cancelled
}
