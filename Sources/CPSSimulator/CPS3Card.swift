import Foundation
import SmartCard
import Synchronization

/// A simulated CPS3 contact card: its ATR, power state and one APDU at a time through the
/// IAS-ECC application. Thread-safe; usable in-process as a `CardTransport` or behind vpcd.
public final class CPS3Card: CardTransport, Sendable {
    /// One command's outcome: the response bytes and what happened on the card.
    public struct Exchange: Sendable {
        public var response: [UInt8]
        public var event: CardEvent?
    }

    public let profile: CardProfile
    private let applet: Mutex<CPS3Applet>
    private let powered: Mutex<Bool>
    private let log: APDULog?
    private let signatureDelay: Duration

    /// - Parameters:
    ///   - credentials: the holder's key and certificate (see `CardCredentials`).
    ///   - pin: the user PIN.
    ///   - triesLeft: the PIN counter at start (0 = blocked).
    ///   - log: where to write every command and response (PINs masked), if anywhere.
    ///   - signatureDelay: added to each private-key operation (a real CPS3 takes 0.5-1 s).
    public init(profile: CardProfile = .cps3Contact, credentials: CardCredentials, pin: PINCode,
                triesLeft: Int? = nil, log: APDULog? = nil, signatureDelay: Duration = .zero) throws {
        self.profile = profile
        let certificate = try CardCredentials.der(credentials.holderCertificate)
        let key = try CardRSAKey(pkcs1DER: credentials.holderKeyDER)
        let application = PKCS15Application(
            profile: profile, certificate: certificate,
            cardNumber: credentials.holder.cardNumber(issuerPrefix: profile.issuerPrefix),
            tokenLabel: credentials.holder.tokenLabel, modulusBits: key.modulusByteCount * 8)
        applet = Mutex(CPS3Applet(profile: profile, files: application.fileSystem(), key: key, pin: pin,
                                  triesLeft: triesLeft ?? profile.maxPINTries))
        powered = Mutex(true)
        self.log = log
        self.signatureDelay = signatureDelay
    }

    /// The answer to reset.
    public var atr: [UInt8] { profile.atr }

    /// Powers the card on (a cold reset: security state cleared).
    public func powerOn() {
        applet.withLock { $0.state.reset() }
        powered.withLock { $0 = true }
    }

    /// Powers the card off: the PIN's verified state and the security environment are lost.
    public func powerOff() {
        powered.withLock { $0 = false }
        applet.withLock { $0.state.reset() }
    }

    /// A warm reset.
    public func reset() { powerOn() }

    /// The PIN counter and verified state, for status reports.
    public var pinState: (triesLeft: Int, verified: Bool) {
        applet.withLock { ($0.state.pinTriesLeft, $0.state.pinVerified) }
    }

    /// Leaves the tries left out of the PIN descriptor (`true`) or puts them back.
    public func setPINCounterHidden(_ hidden: Bool) {
        applet.withLock { $0.pinCounterHidden = hidden }
    }

    /// Processes one command APDU (any bytes: malformed ones get a status word).
    public func exchange(_ command: [UInt8]) -> Exchange {
        let (response, event) = applet.withLock { $0.process(command) }
        let bytes = response.bytes
        log?.record(command: command, response: bytes)
        if event == .keyUsed, signatureDelay > .zero {
            Thread.sleep(forTimeInterval: Double(signatureDelay.components.seconds)
                + Double(signatureDelay.components.attoseconds) / 1e18)
        }
        return Exchange(response: bytes, event: event)
    }

    /// `CardTransport`: throws when the card is powered off.
    public func transmit(_ apdu: [UInt8]) throws -> [UInt8] {
        guard powered.withLock({ $0 }) else { throw CardTransportError.cardNotPowered }
        return exchange(apdu).response
    }
}
