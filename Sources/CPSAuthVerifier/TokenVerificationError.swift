import BridgeProtocol
import Foundation

/// Why a token was refused: one case per failure, each with a stable `code` (for logs,
/// metrics and the federator's own error pages) and a readable description.
///
/// Every case means "refuse the login". The cases that carry a value carry context for the
/// federator's logs only; never show them to the person logging in (use `message`).
public enum TokenVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token (JSON or one of its fields) is larger than the configured limits.
    case tokenTooLarge(bytes: Int, limit: Int)
    /// Not a JSON object with the five string fields, or a field is not standard base64.
    case malformedToken(String)
    /// `format` is not `web-eid:1` or `web-eid:1.x`.
    case unsupportedFormat(String)
    /// `algorithm` is not in the configuration's allow-list (or not one this library knows).
    case unsupportedAlgorithm(String)
    /// The signature does not verify over `SHA-256(origin) || SHA-256(nonce)` with the
    /// certificate's key: a tampered token, a token made for another origin or another nonce,
    /// or a key that does not fit the algorithm.
    case invalidSignature
    /// The origin the federator passed is not a web origin (a configuration error).
    case invalidOrigin(String)
    /// The origin is `http` and the configuration does not allow insecure origins.
    case insecureOrigin(String)
    /// The nonce was never issued by this store (or was forgotten since).
    case nonceUnknown
    /// The nonce was issued and has already been presented once.
    case nonceReplayed
    /// The nonce was issued but its lifetime is over.
    case nonceExpired
    /// The nonce store failed (a shared store unreachable...).
    case nonceStoreUnavailable(String)
    /// The certificate is not base64 DER of an X.509 certificate.
    case certificateUnparsable(String)
    /// The certificate's `notAfter` is before the verification time.
    case certificateExpired(notAfter: Date)
    /// The certificate's `notBefore` is after the verification time.
    case certificateNotYetValid(notBefore: Date)
    /// No chain from the certificate to a configured trust anchor (unknown CA, a CA
    /// certificate expired or misused, a broken signature in the chain).
    case untrustedCertificate(String)
    /// The certificate's key usage lacks `digitalSignature` (or has no key usage at all).
    case keyUsageMissing
    /// The certificate has an extended key usage without `clientAuth`.
    case extendedKeyUsageMismatch
    /// The newest valid CRL of the certificate's issuer lists it.
    case certificateRevoked(serialNumber: String, revokedAt: Date)
    /// A certificate of the chain has no established status: its issuer has no CRL whose
    /// signature verifies with the issuer's key and which is current (CRLs that fail are
    /// ignored, and said why here), and the issuer is not opted out.
    case revocationUnknown(String)
    /// The certificate carries none of the configured certificate policies.
    case policyNotAllowed(String)
    /// The certificate verified but its subject names no national identifier (no CN).
    case identityMissing
    /// The certificate is an organisation's or a software's (its subject names no person:
    /// no surname), not a person's.
    case organizationCertificate(String)
    /// The certificate's national identifier type is not among the accepted ones.
    case nationalIDTypeNotAllowed(String)

    /// A stable identifier of the failure, e.g. `nonceReplayed`.
    public var code: String {
        switch self {
        case .tokenTooLarge: "tokenTooLarge"
        case .malformedToken: "malformedToken"
        case .unsupportedFormat: "unsupportedFormat"
        case .unsupportedAlgorithm: "unsupportedAlgorithm"
        case .invalidSignature: "invalidSignature"
        case .invalidOrigin: "invalidOrigin"
        case .insecureOrigin: "insecureOrigin"
        case .nonceUnknown: "nonceUnknown"
        case .nonceReplayed: "nonceReplayed"
        case .nonceExpired: "nonceExpired"
        case .nonceStoreUnavailable: "nonceStoreUnavailable"
        case .certificateUnparsable: "certificateUnparsable"
        case .certificateExpired: "certificateExpired"
        case .certificateNotYetValid: "certificateNotYetValid"
        case .untrustedCertificate: "untrustedCertificate"
        case .keyUsageMissing: "keyUsageMissing"
        case .extendedKeyUsageMismatch: "extendedKeyUsageMismatch"
        case .certificateRevoked: "certificateRevoked"
        case .revocationUnknown: "revocationUnknown"
        case .policyNotAllowed: "policyNotAllowed"
        case .identityMissing: "identityMissing"
        case .organizationCertificate: "organizationCertificate"
        case .nationalIDTypeNotAllowed: "nationalIDTypeNotAllowed"
        }
    }

    /// Every code, in declaration order (for documentation and tests).
    public static let allCodes = [
        "tokenTooLarge", "malformedToken", "unsupportedFormat", "unsupportedAlgorithm", "invalidSignature",
        "invalidOrigin", "insecureOrigin", "nonceUnknown", "nonceReplayed", "nonceExpired", "nonceStoreUnavailable",
        "certificateUnparsable", "certificateExpired", "certificateNotYetValid", "untrustedCertificate",
        "keyUsageMissing", "extendedKeyUsageMismatch", "certificateRevoked", "revocationUnknown",
        "policyNotAllowed", "identityMissing", "organizationCertificate", "nationalIDTypeNotAllowed",
    ]

    /// For the federator's logs: the code and what exactly failed, in English.
    public var description: String {
        let iso = ISO8601DateFormatter()
        let detail: String = switch self {
        case .tokenTooLarge(let bytes, let limit): "the token is \(bytes) bytes, over the limit of \(limit)"
        case .malformedToken(let why): "the token is malformed: \(Self.quoted(why))"
        case .unsupportedFormat(let format): "unsupported token format \(Self.quoted(format)) (expected web-eid:1.x)"
        case .unsupportedAlgorithm(let algorithm): "signature algorithm \(Self.quoted(algorithm)) is not allowed"
        case .invalidSignature: "the signature does not verify over this origin and nonce with the certificate's key"
        case .invalidOrigin(let why): "the federator's origin is not a valid web origin: \(why)"
        case .insecureOrigin(let origin): "the origin \(Self.quoted(origin)) is not https (allowInsecureOrigins is off)"
        case .nonceUnknown: "the nonce was not issued by this verifier's store"
        case .nonceReplayed: "the nonce has already been used"
        case .nonceExpired: "the nonce has expired"
        case .nonceStoreUnavailable(let why): "the nonce store failed: \(why)"
        case .certificateUnparsable(let why): "the certificate cannot be read: \(why)"
        case .certificateExpired(let notAfter): "the certificate expired on \(iso.string(from: notAfter))"
        case .certificateNotYetValid(let notBefore): "the certificate is not valid before \(iso.string(from: notBefore))"
        case .untrustedCertificate(let why): "the certificate does not chain to a trust anchor: \(why)"
        case .keyUsageMissing: "the certificate's key usage does not allow digitalSignature"
        case .extendedKeyUsageMismatch: "the certificate's extended key usage does not allow clientAuth"
        case .certificateRevoked(let serial, let at): "the certificate (serial \(serial)) was revoked on \(iso.string(from: at))"
        case .revocationUnknown(let why): "the revocation status cannot be established: \(why)"
        case .policyNotAllowed(let why): "the certificate carries no accepted certificate policy: \(why)"
        case .identityMissing: "the certificate's subject names no national identifier"
        case .organizationCertificate(let id): "the certificate (\(Self.quoted(id))) names no person: an organisation or software certificate"
        case .nationalIDTypeNotAllowed(let type): "national identifier type \(Self.quoted(type)) is not accepted"
        }
        return "\(code): \(detail)"
    }

    /// Text from the token, made safe for a log line: quoted and escaped (no raw newline or
    /// control character can forge a line) and cut to 64 characters.
    static func quoted(_ text: String) -> String {
        let cut = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return cut.debugDescription
    }

    /// A short sentence a login page can show the person, in French and English (the
    /// protocol's `LocalizedMessage`). It says what to do, never why in technical terms.
    public var message: LocalizedMessage {
        let (fr, en) = texts
        return LocalizedMessage(fr: fr, en: en)
    }

    private var texts: (String, String) {
        switch self {
        case .nonceExpired, .nonceUnknown, .nonceReplayed:
            ("La demande de connexion a expiré ou a déjà servi. Recommencez la connexion.",
             "This login request has expired or was already used. Please start the login again.")
        case .certificateExpired:
            ("Le certificat de votre carte a expiré. Utilisez une carte en cours de validité.",
             "Your card's certificate has expired. Please use a card that is still valid.")
        case .certificateNotYetValid:
            ("Le certificat de votre carte n'est pas encore valide. Vérifiez l'horloge de votre poste ou réessayez plus tard.",
             "Your card's certificate is not valid yet. Check your computer's clock or try again later.")
        case .certificateRevoked:
            ("Votre carte a été révoquée (opposition). Contactez votre autorité d'enregistrement.",
             "Your card has been revoked. Please contact your registration authority.")
        case .untrustedCertificate, .keyUsageMissing, .extendedKeyUsageMismatch, .identityMissing, .policyNotAllowed,
             .organizationCertificate, .nationalIDTypeNotAllowed:
            ("Cette carte n'est pas acceptée pour la connexion. Utilisez votre carte CPS.",
             "This card is not accepted for logging in. Please use your CPS card.")
        case .revocationUnknown, .nonceStoreUnavailable, .invalidOrigin, .insecureOrigin:
            ("Le service de connexion rencontre un problème. Réessayez dans quelques minutes.",
             "The login service has a problem. Please try again in a few minutes.")
        case .tokenTooLarge, .malformedToken, .unsupportedFormat, .unsupportedAlgorithm, .invalidSignature, .certificateUnparsable:
            ("La preuve de connexion de votre carte n'a pas pu être vérifiée. Recommencez la connexion.",
             "Your card's login proof could not be verified. Please start the login again.")
        }
    }
}
