import CPKCS11

/// What a module says about itself (`CK_INFO`, from `C_GetInfo`).
public struct ModuleInfo: Hashable, Sendable {
    /// The Cryptoki version the module implements (`cryptokiVersion`).
    public let cryptokiVersion: PKCS11Version
    /// `manufacturerID`, e.g. `SoftHSM` or `OpenSC Project`.
    public let manufacturer: String
    /// `libraryDescription`, e.g. `Implementation of PKCS11`, `OpenSC smartcard framework`.
    public let libraryDescription: String
    /// `libraryVersion`.
    public let libraryVersion: PKCS11Version

    public init(
        cryptokiVersion: PKCS11Version,
        manufacturer: String,
        libraryDescription: String,
        libraryVersion: PKCS11Version
    ) {
        self.cryptokiVersion = cryptokiVersion
        self.manufacturer = manufacturer
        self.libraryDescription = libraryDescription
        self.libraryVersion = libraryVersion
    }

    init(_ info: CK_INFO) {
        self.init(
            cryptokiVersion: PKCS11Version(info.cryptokiVersion),
            manufacturer: String(paddedField: info.manufacturerID),
            libraryDescription: String(paddedField: info.libraryDescription),
            libraryVersion: PKCS11Version(info.libraryVersion)
        )
    }
}
