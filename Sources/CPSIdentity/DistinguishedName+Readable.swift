import SwiftASN1
import X509

extension DistinguishedName {
    /// The name as RFC 4514 writes it (last RDN first, `+` inside a multi-valued RDN), with
    /// the short names IGC-Santé subjects use (`SN`, `GN`, `title`), which swift-certificates
    /// prints as bare OIDs.
    public var readable: String {
        reversed().map { rdn in
            rdn.map { attribute in
                "\(Self.shortName(attribute.type))=\(Self.escaped(attribute.value.text))"
            }.joined(separator: "+")
        }.joined(separator: ",")
    }

    static func shortName(_ oid: ASN1ObjectIdentifier) -> String {
        switch oid {
        case [2, 5, 4, 3]: "CN"
        case [2, 5, 4, 4]: "SN"
        case [2, 5, 4, 42]: "GN"
        case [2, 5, 4, 12]: "title"
        case [2, 5, 4, 5]: "serialNumber"
        case [2, 5, 4, 6]: "C"
        case [2, 5, 4, 7]: "L"
        case [2, 5, 4, 8]: "ST"
        case [2, 5, 4, 10]: "O"
        case [2, 5, 4, 11]: "OU"
        default: oid.description
        }
    }

    /// RFC 4514 escaping of the characters that would break the string apart.
    static func escaped(_ value: String) -> String {
        var out = ""
        for (index, ch) in value.enumerated() {
            if ",+\"\\<>;=".contains(ch) || (index == 0 && (ch == "#" || ch == " ")) { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}
