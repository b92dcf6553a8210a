import CPSIdentity
import X509

/// What a card says about its holder, read once per insertion: the authentication
/// certificate, its PKCS#11 id (to find the matching key), and the holder it names.
public struct CardCredentials: Sendable {
    public let certificateDER: [UInt8]
    public let certificate: Certificate
    public let holder: HolderIdentity
    /// `CKA_ID` shared by the authentication certificate and key.
    public let objectID: [UInt8]

    public init(certificateDER: [UInt8], certificate: Certificate, holder: HolderIdentity, objectID: [UInt8]) {
        self.certificateDER = certificateDER
        self.certificate = certificate
        self.holder = holder
        self.objectID = objectID
    }
}
