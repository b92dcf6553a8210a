import CPSIdentity
import X509

/// What a card says about its holder, read once per insertion: the authentication
/// certificate, its PKCS#11 id (to find the matching key), and the holder it names.
public struct CardCredentials: Sendable {
    public let certificateDER: [UInt8]
    public let certificate: Certificate
    public let holder: HolderIdentity
    /// `CKA_ID` shared by `CPS_CERT_AUT` and `CPS_PRIV_AUT`.
    public let objectID: [UInt8]
}

/// The PKCS#11 labels of the CPx authentication objects (docs/CARDS.md).
enum CPSLabels {
    static let authenticationCertificate = "CPS_CERT_AUT"
    static let authenticationKey = "CPS_PRIV_AUT"
}
