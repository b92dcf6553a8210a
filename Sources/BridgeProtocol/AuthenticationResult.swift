/// A successful login: the token, and beside it whose card signed.
/// It is the body of `200` to `POST /v1/authenticate` and the fields of a WebSocket `result`.
public struct AuthenticationResult: Codable, Hashable, Sendable {
    public var token: AuthenticationToken
    /// Read from the certificate in the token; `null` when its subject names no holder.
    public var holder: HolderSummary?

    public init(token: AuthenticationToken, holder: HolderSummary?) {
        self.token = token
        self.holder = holder
    }

    enum CodingKeys: String, CodingKey { case token, holder }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token, forKey: .token)
        try c.encode(holder, forKey: .holder)
    }
}

/// The answer to `getCertificate`: the authentication certificate (base64 of its DER) and
/// the holder, read without a PIN.
public struct CertificateResult: Codable, Hashable, Sendable {
    public var certificate: String
    public var holder: HolderSummary?

    public init(certificate: String, holder: HolderSummary?) {
        self.certificate = certificate
        self.holder = holder
    }

    enum CodingKeys: String, CodingKey { case certificate, holder }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(certificate, forKey: .certificate)
        try c.encode(holder, forKey: .holder)
    }
}
