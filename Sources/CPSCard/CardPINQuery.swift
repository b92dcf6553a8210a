import Logging
import PCSC
import SmartCard

/// Reads the user PIN's tries left straight from an IAS-ECC card, without spending a try:
/// SELECT MF, then the GET DATA of the PIN's security data object (docs/CARDS.md), for the
/// cards whose profile says so.
///
/// It runs in a PC/SC transaction of its own with no PKCS#11 call inside (the module takes
/// its own transactions). The module's view of the card is not disturbed: it selects the
/// files it needs before each use (a test shows a login and a signature right after).
enum CardPINQuery {
    /// The exact PIN state, or `nil` when the card cannot tell this way (its profile reads the
    /// token flags only, or the card is busy or refuses).
    static func read(reader: String, profile: CardProfile, logger: Logger) -> PINState? {
        guard case .iasECCSecurityData = profile.triesLeft else { return nil }
        do {
            let connection = try CardConnection(context: PCSCContext(), reader: reader)
            defer { try? connection.disconnect(.leave) }
            return try connection.withTransaction { card -> PINState? in triesLeft(card, profile: profile) }
        } catch {
            logger.debug("PIN state not readable from the card: \(error)")
            return nil
        }
    }

    /// The same, inside a transaction the caller holds (`CardFileRead`); nil when the card
    /// cannot tell this way or refuses.
    static func triesLeft(_ card: CardConnection, profile: CardProfile) -> PINState? {
        guard case .iasECCSecurityData(let reference) = profile.triesLeft,
              let select = try? ResponseAPDU(bytes: card.transmit(CommandAPDU.select(p1: 0x09, p2: 0x0C, [0x3F, 0x00]).bytes)),
              select.status.isSuccess,
              let answer = try? ResponseAPDU(bytes: card.transmit(CommandAPDU.pinTriesLeft(reference: reference).bytes)),
              answer.status.isSuccess, let object = try? BERTLV.parse(answer.data).0,
              let left = object.find(0x9B)?.value.last else { return nil }
        return PINState.exact(triesLeft: Int(left), maxTries: object.find(0x9A)?.value.last.map(Int.init))
    }
}
