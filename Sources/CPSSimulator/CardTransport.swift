/// Something that carries command APDUs to a card and brings its responses back: the
/// simulated card in-process, or a reader.
public protocol CardTransport: Sendable {
    /// Sends one command APDU; returns the response APDU (data, SW1, SW2).
    func transmit(_ apdu: [UInt8]) throws -> [UInt8]
}

/// Why a transport could not deliver an APDU.
public enum CardTransportError: Error, Hashable, Sendable {
    /// The card is not powered (or was removed).
    case cardNotPowered
}
