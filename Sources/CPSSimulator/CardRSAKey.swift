import Crypto
import _CryptoExtras
import Foundation

/// The private-key operations a CPS3 performs with `CPS_PRIV_AUT`: it pads what it receives
/// (PKCS#1 v1.5) and applies raw RSA, because swift-crypto's `_RSA.Signing` only signs its own
/// digests. Raw RSA (m^d mod n) comes from `_RSA.BlindSigning`'s blind-signature operation.
public struct CardRSAKey: Sendable {
    /// Why a private-key operation was refused.
    public enum Failure: Error, Hashable, Sendable {
        /// The input does not fit the key (after padding).
        case inputTooLong
        /// A cryptogram whose decryption is not PKCS#1 v1.5 type 2.
        case badPadding
    }

    private let raw: _RSA.BlindSigning.PrivateKey<SHA384>
    /// The modulus length in bytes (256 for RSA-2048).
    public let modulusByteCount: Int

    /// Loads a PKCS#1 DER RSA private key.
    public init(pkcs1DER: [UInt8]) throws {
        raw = try _RSA.BlindSigning.PrivateKey<SHA384>(unsafeDERRepresentation: pkcs1DER)
        modulusByteCount = raw.keySizeInBits / 8
    }

    /// Signs `input` (typically a DigestInfo) the card's way: `00 01 FF..FF 00 input`, then raw RSA.
    /// - Throws: `Failure.inputTooLong` when fewer than 8 bytes of `FF` padding would remain.
    public func signPKCS1(_ input: [UInt8]) throws -> [UInt8] {
        let k = modulusByteCount
        guard input.count <= k - 11 else { throw Failure.inputTooLong }
        let block = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: k - 3 - input.count) + [0x00] + input
        return try rawPrivate(block)
    }

    /// Decrypts a PKCS#1 v1.5 (type 2) cryptogram.
    public func decryptPKCS1(_ cryptogram: [UInt8]) throws -> [UInt8] {
        guard cryptogram.count == modulusByteCount else { throw Failure.inputTooLong }
        let block = try rawPrivate(cryptogram)
        guard block.count == modulusByteCount, block[0] == 0x00, block[1] == 0x02,
              let separator = block[2...].firstIndex(of: 0x00), separator >= 10 else { throw Failure.badPadding }
        return Array(block[(separator + 1)...])
    }

    /// m^d mod n on a modulus-length block, left-padded with zeros to the modulus length.
    private func rawPrivate(_ block: [UInt8]) throws -> [UInt8] {
        let out = Array(try raw.blindSignature(for: block).rawRepresentation)
        return [UInt8](repeating: 0, count: max(0, modulusByteCount - out.count)) + out
    }
}
