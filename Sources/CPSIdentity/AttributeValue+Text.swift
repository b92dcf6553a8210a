import SwiftASN1
import X509

extension RelativeDistinguishedName.Attribute.Value {
    /// The value as text: UTF8String, PrintableString and IA5String directly; BMPString
    /// (UTF-16BE), UniversalString (UTF-32BE) and TeletexString (read as Latin-1) decoded
    /// here, since some older CA software writes names in them.
    var text: String {
        if let s = String(self) { return s }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(self))) != nil,
              let node = try? DER.parse(serializer.serializedBytes),
              case .primitive(let content) = node.content else { return description }
        let bytes = Array(content)
        switch node.identifier {
        case ASN1Identifier(tagWithNumber: 30, tagClass: .universal): // BMPString
            var units: [UInt16] = []
            var i = 0
            while i + 1 < bytes.count {
                let high = UInt16(bytes[i]) << 8
                units.append(high | UInt16(bytes[i + 1]))
                i += 2
            }
            return String(decoding: units, as: UTF16.self)
        case ASN1Identifier(tagWithNumber: 28, tagClass: .universal): // UniversalString
            var text = String.UnicodeScalarView()
            var i = 0
            while i + 3 < bytes.count {
                var value: UInt32 = 0
                for b in bytes[i..<(i + 4)] { value = value << 8 | UInt32(b) }
                if let scalar = Unicode.Scalar(value) { text.append(scalar) }
                i += 4
            }
            return String(text)
        case ASN1Identifier(tagWithNumber: 20, tagClass: .universal): // TeletexString
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            return description
        }
    }
}
