import BridgeProtocol
import CPSIdentity
import Foundation
import SwiftASN1
import X509

/// What a federator trusts and accepts. The defaults are the PSC profile (docs/VERIFIER.md):
/// `https` origins only, revocation required for every certificate below the anchor, one of
/// the configured certificate policies required, national identifiers of persons only. Each
/// relaxation is a field set explicitly.
public struct VerifierConfiguration: Sendable {
    /// The roots a holder certificate must chain to: IGC-Santé's root CAs.
    public var trustAnchors: [Certificate]
    /// The CAs between a root and the holder certificate (e.g. "AC IGC-SANTE FORT
    /// PERSONNES"): the token carries the leaf only, so the federator supplies these.
    public var intermediates: [Certificate]
    /// CRLs. For each certificate of a chain but the anchor, the newest CRL of its issuer
    /// whose signature verifies with that issuer's key and which is current is used.
    public var crls: [CertificateRevocationList]
    /// Issuers whose certificates are NOT checked for revocation (an explicit opt-out, per
    /// issuer): a certificate they issued is accepted without a CRL. Empty by default: every
    /// certificate below the anchor must have its status established, else
    /// `revocationUnknown`. A revoked card of an issuer listed here logs in.
    public var revocationNotCheckedFor: [IssuerReference]
    /// How OCSP and CRLs combine (default `.ocspThenCRL`: OCSP first, the CRL when OCSP gives
    /// no usable answer). Without an `ocsp` source, OCSP never answers, so `.ocspThenCRL` is
    /// CRLs alone and `.ocspOnly` refuses everything (`revocationUnknown`).
    public var revocationPolicy: RevocationPolicy
    /// The OCSP source (`CPSRevocationOCSP.OCSPClient`), shared by every verifier made with
    /// this configuration (its cache too). `nil` by default: no OCSP.
    public var ocsp: (any OCSPStatusSource)?
    /// CRLs updated while the verifier runs (a `CRLReloader` offers to it), read at each
    /// verification together with `crls`. `nil` by default.
    public var crlStore: CRLStore?
    /// The certificate policies (`certificatePolicies` extension) a holder certificate must
    /// carry one of. Default `.anyOf([])`: nothing is accepted until the federator configures
    /// the IGC-Santé personal authentication policy OIDs it accepts.
    public var certificatePolicies: CertificatePolicyRequirement
    /// Policies whose certification policy puts the key on a smart card activated by a PIN:
    /// a login under one of them is reported with `amr` `hwk`, `sc`, `pin`, `mfa`
    /// (`VerifiedAuthentication.authenticationMethods`).
    public var smartCardPolicies: Set<ASN1ObjectIdentifier>
    /// The national identifier types accepted (`cps_national_id_type`). Default: the types
    /// that designate a person (`NationalIdentifier.Kind.personal`).
    public var acceptedNationalIDTypes: Set<NationalIdentifier.Kind>
    /// Accept an `http` origin (default false: `insecureOrigin`). Only for a federator on
    /// loopback for development, such as the demo.
    public var allowInsecureOrigins: Bool
    /// How long an issued nonce may be presented (default 5 minutes).
    public var nonceLifetime: Duration
    /// The largest token accepted, as JSON bytes (`verify(tokenJSON:...)`) or as the sum of
    /// its fields' lengths (`verify(token:...)`). Default 16 KiB, the daemon's message limit.
    public var maxTokenBytes: Int
    /// The JWA algorithms accepted: `RS256` by default (CPS cards); `PS256` and `ES256` are
    /// understood and may be added.
    public var allowedAlgorithms: Set<String>
    /// Leaf certificates trusted exactly as they are, without a chain: only for PROTOCOL.md's
    /// self-signed test vector (swift-certificates rightly refuses a non-CA as an anchor).
    /// Internal on purpose: a federator can never switch chain building off; tests set it
    /// through `@testable import`.
    var pinnedCertificates: [Certificate] = []
    /// Whether a certificate must carry `clientAuth` when it has an extended key usage
    /// extension (default true). A certificate without the extension is accepted either way.
    public var requireClientAuthEKU: Bool

    /// The algorithms this library can verify.
    public static let supportedAlgorithms: Set<String> = ["RS256", "PS256", "ES256"]

    public init(trustAnchors: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [],
                revocationNotCheckedFor: [IssuerReference] = [],
                revocationPolicy: RevocationPolicy = .ocspThenCRL, ocsp: (any OCSPStatusSource)? = nil,
                crlStore: CRLStore? = nil,
                certificatePolicies: CertificatePolicyRequirement = .anyOf([]), smartCardPolicies: Set<ASN1ObjectIdentifier> = [],
                acceptedNationalIDTypes: Set<NationalIdentifier.Kind> = NationalIdentifier.Kind.personal,
                allowInsecureOrigins: Bool = false,
                nonceLifetime: Duration = .seconds(300), maxTokenBytes: Int = ProtocolLimits.maxMessageBytes,
                allowedAlgorithms: Set<String> = [AuthenticationToken.rs256], requireClientAuthEKU: Bool = true) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.crls = crls
        self.revocationNotCheckedFor = revocationNotCheckedFor
        self.revocationPolicy = revocationPolicy
        self.ocsp = ocsp
        self.crlStore = crlStore
        self.certificatePolicies = certificatePolicies
        self.smartCardPolicies = smartCardPolicies
        self.acceptedNationalIDTypes = acceptedNationalIDTypes
        self.allowInsecureOrigins = allowInsecureOrigins
        self.nonceLifetime = nonceLifetime
        self.maxTokenBytes = maxTokenBytes
        self.allowedAlgorithms = allowedAlgorithms
        self.requireClientAuthEKU = requireClientAuthEKU
    }
}

extension VerifierConfiguration {
    /// Every certificate in a file: PEM (one or several `CERTIFICATE` blocks) or one DER
    /// certificate.
    /// - Throws: `ConfigurationError` when the file cannot be read or holds no certificate.
    public static func certificates(fromPEMFile path: String) throws(ConfigurationError) -> [Certificate] {
        try certificates(fromFile: path)
    }

    /// Every certificate in a file, PEM or DER (the same as `certificates(fromPEMFile:)`).
    public static func certificates(fromFile path: String) throws(ConfigurationError) -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        do {
            return try certificates(fromBytes: Array(data))
        } catch {
            throw .invalid(path, String(describing: error))
        }
    }

    /// Every certificate in PEM text or DER bytes.
    public static func certificates(fromBytes bytes: [UInt8]) throws -> [Certificate] {
        if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
            let certificates = try PEMDocument.parseMultiple(pemString: text)
                .filter { $0.discriminator == "CERTIFICATE" }
                .map { try Certificate(derEncoded: $0.derBytes) }
            guard !certificates.isEmpty else { throw ConfigurationError.invalid("PEM", "no CERTIFICATE block") }
            return certificates
        }
        return [try Certificate(derEncoded: bytes)]
    }

    /// A CRL file, PEM (`X509 CRL`) or DER.
    public static func crl(fromFile path: String) throws(ConfigurationError) -> CertificateRevocationList {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        do {
            return try CertificateRevocationList(bytes: Array(data))
        } catch {
            throw .invalid(path, error.description)
        }
    }
}

/// Why a configuration file cannot be used.
public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        case .invalid(let path, let why): "\(path): \(why)"
        }
    }
}
