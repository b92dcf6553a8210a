#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The proof a login returns: Web eID's authentication token format 1.0, field for field, so
/// that Web eID validators (Java, .NET, PHP) verify it given IGC-Santé trust anchors.
///
/// ```json
/// {"format":"web-eid:1.0","unverifiedCertificate":"MIIE...","algorithm":"RS256",
///  "signature":"jNj1...","appVersion":"https://github.com/cps-bridge/cps-bridge/releases/tag/v0.1.0"}
/// ```
/// The signature covers `SHA-256(origin) || SHA-256(nonce)` (see `signedData(origin:nonce:sha256:)`).
/// Neither the origin nor the nonce is in the token: the verifier supplies the ones it
/// trusts, so a token made for another site or another challenge cannot verify.
public struct AuthenticationToken: Codable, Hashable, Sendable {
    /// `web-eid:1.0`: the format's name and version (major.minor).
    public var format: String
    /// The authentication certificate, base64 (standard, padded) of its DER. Unverified: the
    /// verifier must chain it to a trusted CA before using its key or subject.
    public var unverifiedCertificate: String
    /// The JWA name of the signature algorithm: `RS256` for CPS cards (RSASSA-PKCS1-v1_5
    /// with SHA-256).
    public var algorithm: String
    /// The signature, base64 (standard, padded).
    public var signature: String
    /// A URL naming the application and version that made the token; informative only.
    public var appVersion: String

    /// The format this module writes.
    public static let currentFormat = "web-eid:1.0"
    /// The algorithm of CPS authentication keys.
    public static let rs256 = "RS256"
    /// Where cps-bridge's releases are published; `appVersion` is this plus `/tag/v<version>`.
    public static let releasesURL = "https://github.com/cps-bridge/cps-bridge/releases"

    public init(format: String = currentFormat, unverifiedCertificate: String, algorithm: String = rs256,
                signature: String, appVersion: String) {
        self.format = format
        self.unverifiedCertificate = unverifiedCertificate
        self.algorithm = algorithm
        self.signature = signature
        self.appVersion = appVersion
    }

    /// A `web-eid:1.0` RS256 token from the certificate's DER and the card's signature.
    /// - Parameter appVersion: the daemon's version, e.g. `0.1.0`.
    public init(certificateDER: [UInt8], signature: [UInt8], appVersion: String) {
        self.init(unverifiedCertificate: Data(certificateDER).base64EncodedString(),
                  signature: Data(signature).base64EncodedString(),
                  appVersion: Self.appVersionURL(version: appVersion))
    }

    /// `https://github.com/cps-bridge/cps-bridge/releases/tag/v<version>`.
    public static func appVersionURL(version: String) -> String {
        "\(releasesURL)/tag/v\(version)"
    }

    /// Whether `format` is a version this module understands: `web-eid:1` with any minor
    /// version (minor versions are backwards compatible).
    public var hasSupportedFormat: Bool {
        format == "web-eid:1" || format.hasPrefix("web-eid:1.")
    }

    /// The certificate's DER bytes.
    /// - Throws: `ProtocolError` `badRequest` when the field is not standard base64.
    public func certificateDER() throws(ProtocolError) -> [UInt8] {
        try Self.decodeBase64(unverifiedCertificate, field: "unverifiedCertificate")
    }

    /// The signature's bytes.
    /// - Throws: `ProtocolError` `badRequest` when the field is not standard base64.
    public func signatureBytes() throws(ProtocolError) -> [UInt8] {
        try Self.decodeBase64(signature, field: "signature")
    }

    private static func decodeBase64(_ text: String, field: String) throws(ProtocolError) -> [UInt8] {
        guard !text.isEmpty, let data = Data(base64Encoded: text) else {
            throw ProtocolError(.invalidValue(field: field, why: "must be standard padded base64"))
        }
        return Array(data)
    }
}
