/// Who the simulated card belongs to: what the holder certificate's subject says.
public struct HolderIdentity: Sendable, Hashable {
    /// `idNat_PS`: `8` + RPPS number for most professionals (test cards: `8997...`, `8999...`).
    public var nationalID: String
    public var surname: String
    public var givenName: String
    /// The `title` attribute: a profession label such as `Médecin`.
    public var profession: String

    public init(nationalID: String = "899700012345", surname: String = "TEST-CPS", givenName: String = "CAMILLE",
                profession: String = "Médecin") {
        self.nationalID = nationalID
        self.surname = surname
        self.givenName = givenName
        self.profession = profession
    }

    /// The 20-digit card number: issuer prefix then the national identifier's last ten digits
    /// (zero-padded), so a holder keeps the same card number between runs.
    public func cardNumber(issuerPrefix: String) -> String {
        let digits = nationalID.filter(\.isNumber)
        let tail = String(digits.suffix(10))
        return issuerPrefix + String(repeating: "0", count: 10 - tail.count) + tail
    }

    /// The token label shown by PKCS#11 tools.
    public var tokenLabel: String { "CPS \(givenName) \(surname)" }
}
