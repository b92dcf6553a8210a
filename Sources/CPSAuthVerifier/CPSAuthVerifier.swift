import BridgeProtocol
import CPSIdentity
import Crypto
import Foundation
import SwiftASN1
import X509

/// The federator's side of a CPS login: issues nonces, verifies the tokens the daemon
/// returns (Web eID format `web-eid:1.0`), and maps the verified certificate to identity
/// claims. See docs/VERIFIER.md.
///
/// ```swift
/// let verifier = CPSAuthVerifier(configuration: .init(
///     trustAnchors: try VerifierConfiguration.certificates(fromPEMFile: "igc-sante-roots.pem"),
///     intermediates: try VerifierConfiguration.certificates(fromPEMFile: "igc-sante-cas.pem")))
/// let nonce = try await verifier.issueNonce()          // store it in the browser session
/// // ... the page gets a token from cps-bridge with this nonce ...
/// let login = try await verifier.verify(tokenJSON: body, origin: "https://auth.example.fr", nonce: nonce)
/// login.claims.subjectNameID                           // "899700012345"
/// ```
/// Every `verify` call spends its nonce first, whatever the outcome: a refused token cannot
/// be corrected and retried with the same challenge.
public struct CPSAuthVerifier: Sendable {
    public let configuration: VerifierConfiguration
    public let nonceStore: any NonceStore
    let anchors: CertificateStore
    let intermediates: CertificateStore
    let revocation: RevocationIndex

    /// Bytes of randomness in an issued nonce: 256 bits, 44 base64 characters.
    public static let nonceBytes = 32

    public init(configuration: VerifierConfiguration, nonceStore: any NonceStore = InMemoryNonceStore()) {
        self.configuration = configuration
        self.nonceStore = nonceStore
        anchors = CertificateStore(configuration.trustAnchors)
        intermediates = CertificateStore(configuration.intermediates)
        revocation = RevocationIndex(crls: configuration.crls,
                                     authorities: configuration.trustAnchors + configuration.intermediates,
                                     notCheckedFor: configuration.revocationNotCheckedFor,
                                     store: configuration.crlStore, ocsp: configuration.ocsp,
                                     policy: configuration.revocationPolicy)
    }

    /// A fresh nonce: 256 random bits, standard base64, recorded in the store as unused until
    /// `now + nonceLifetime`.
    /// - Throws: the store's error when it cannot record the nonce.
    public func issueNonce(now: Date = Date()) async throws -> String {
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() }
        try await nonceStore.insert(text, expiresAt: now.addingTimeInterval(Self.seconds(configuration.nonceLifetime)), now: now)
        return text
    }

    /// Verifies a token the page received from cps-bridge, as JSON bytes (the size limit is
    /// checked before anything is parsed).
    /// - Parameters:
    ///   - tokenJSON: the `token` object, as the page posted it.
    ///   - origin: the federator's own login page origin (configuration, never from the
    ///     request), e.g. `https://auth.esw.esante.gouv.fr`.
    ///   - nonce: the nonce stored in this browser's session (never from the request).
    ///   - now: the verification time (nonce expiry, certificate and CRL validity).
    /// - Returns: the verified certificate, its chain and the holder's claims.
    /// - Throws: `TokenVerificationError`, one case per reason.
    public func verify(tokenJSON: Data, origin: String, nonce: String,
                       now: Date = Date()) async throws(TokenVerificationError) -> VerifiedAuthentication {
        try await consume(nonce: nonce, now: now)
        guard tokenJSON.count <= configuration.maxTokenBytes else {
            throw .tokenTooLarge(bytes: tokenJSON.count, limit: configuration.maxTokenBytes)
        }
        let token: AuthenticationToken
        do {
            token = try JSONDecoder().decode(AuthenticationToken.self, from: tokenJSON)
        } catch {
            throw .malformedToken(Self.describe(error))
        }
        return try await check(token: token, origin: origin, nonce: nonce, now: now)
    }

    /// Verifies a decoded token (see `verify(tokenJSON:origin:nonce:now:)`).
    public func verify(token: AuthenticationToken, origin: String, nonce: String,
                       now: Date = Date()) async throws(TokenVerificationError) -> VerifiedAuthentication {
        try await consume(nonce: nonce, now: now)
        return try await check(token: token, origin: origin, nonce: nonce, now: now)
    }

    /// Spends the nonce in the store; only a fresh one goes on.
    func consume(nonce: String, now: Date) async throws(TokenVerificationError) {
        guard (try? Nonce(nonce)) != nil else { throw .nonceUnknown }   // never issued by issueNonce
        let state: NonceState
        do {
            state = try await nonceStore.consume(nonce, now: now)
        } catch {
            throw .nonceStoreUnavailable(String(describing: error))
        }
        switch state {
        case .fresh: return
        case .used: throw .nonceReplayed
        case .expired: throw .nonceExpired
        case .unknown: throw .nonceUnknown
        }
    }

    /// Every check after the nonce, in PROTOCOL.md's order.
    func check(token: AuthenticationToken, origin originText: String, nonce nonceText: String,
               now: Date) async throws(TokenVerificationError) -> VerifiedAuthentication {
        let origin: Origin
        do { origin = try Origin(originText) } catch { throw .invalidOrigin(error.description) }
        guard origin.scheme == .https || configuration.allowInsecureOrigins else { throw .insecureOrigin(origin.serialization) }
        let nonce: Nonce
        do { nonce = try Nonce(nonceText) } catch { throw .nonceUnknown }

        let size = [token.format, token.unverifiedCertificate, token.algorithm, token.signature, token.appVersion]
            .reduce(0) { $0 + $1.utf8.count }
        guard size <= configuration.maxTokenBytes else {
            throw .tokenTooLarge(bytes: size, limit: configuration.maxTokenBytes)
        }
        guard token.hasSupportedFormat else { throw .unsupportedFormat(token.format) }
        guard configuration.allowedAlgorithms.contains(token.algorithm),
              let algorithm = SignatureAlgorithm(rawValue: token.algorithm) else {
            throw .unsupportedAlgorithm(token.algorithm)
        }
        let certificateDER: [UInt8]
        let signature: [UInt8]
        do {
            certificateDER = try token.certificateDER()
            signature = try token.signatureBytes()
        } catch {
            throw .malformedToken(error.description)
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: certificateDER)
        } catch {
            throw .certificateUnparsable(String(describing: error))
        }

        let chain = try await validateCertificate(certificate, now: now)
        let policy = try configuration.certificatePolicies.check(certificate)
        let notChecked = try await revocation.check(chain: chain, now: now)

        let signedData = AuthenticationToken.signedData(origin: origin, nonce: nonce) { Array(SHA256.hash(data: $0)) }
        guard algorithm.verifies(signature, over: signedData, with: certificate.publicKey) else {
            throw .invalidSignature
        }

        let identity = try person(in: certificate)
        return VerifiedAuthentication(certificate: certificate, chain: chain, identity: identity,
                                      claims: IdentityClaims(identity), algorithm: token.algorithm,
                                      appVersion: token.appVersion, policy: policy,
                                      smartCardPolicy: policy.map(configuration.smartCardPolicies.contains) ?? false,
                                      revocationNotCheckedFor: notChecked)
    }

    /// The holder, who must be a person (a surname) with an accepted national identifier type.
    func person(in certificate: Certificate) throws(TokenVerificationError) -> HolderIdentity {
        let identity: HolderIdentity
        do { identity = try HolderIdentity(certificate: certificate) } catch { throw .identityMissing }
        guard identity.familyName != nil else { throw .organizationCertificate(identity.nationalId.value) }
        guard configuration.acceptedNationalIDTypes.contains(identity.nationalId.type) else {
            throw .nationalIDTypeNotAllowed(identity.nationalId.type.rawValue)
        }
        return identity
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// A decoding error in one line, naming the field.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no \"\(key.stringValue)\" field"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is not a string"
        case DecodingError.dataCorrupted(let context): "not a JSON object (\(context.debugDescription))"
        default: String(describing: error)
        }
    }
}
