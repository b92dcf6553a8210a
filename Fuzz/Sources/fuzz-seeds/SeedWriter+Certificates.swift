import CPSSimulator
import Foundation
import SwiftASN1
import VerifierTestPKI
import X509

extension SeedWriter {
    /// Holder certificates in DER and PEM (a professional, a staff card, the simulated card's),
    /// a CA, and near misses.
    func writeCertificates(pki: VerifierTestPKI, card: CardCredentials) throws {
        let holder = try VerifierTestPKI.der(pki.holder)
        try write(holder, "corpus/fuzz-holder-identity/holder.der")
        try write(Self.pem(holder, "CERTIFICATE"), "corpus/fuzz-holder-identity/holder.pem")
        try write(try CardCredentials.der(card.holderCertificate), "corpus/fuzz-holder-identity/card-holder.der")
        try write(try VerifierTestPKI.der(pki.issuing), "corpus/fuzz-holder-identity/issuing-ca.der")
        let staff = DistinguishedName([
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "FR")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "CENTRE HOSPITALIER TEST")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "3123456789/0042")),
        ])
        try write(try VerifierTestPKI.der(try pki.holder(subject: staff)), "corpus/fuzz-holder-identity/staff.der")
        let noCN = DistinguishedName([
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "FR")),
            RelativeDistinguishedName(.init(type: [2, 5, 4, 4], utf8String: "TEST-CPS")),
        ])
        try write(try VerifierTestPKI.der(try pki.holder(subject: noCN)), "corpus/fuzz-holder-identity/near-no-cn.der")
        try write(Array(holder.prefix(holder.count / 2)), "corpus/fuzz-holder-identity/near-truncated.der")
        try write(Self.pem(holder, "X509 CRL"), "corpus/fuzz-holder-identity/near-pem-label.pem")
    }

    /// CRLs of the issuing CA in DER and PEM, one revoking the holder, and near misses.
    func writeCRLs(pki: VerifierTestPKI, issuer: CRLIssuer, valid: [UInt8], other: CRLIssuer.Entry) throws {
        let thisUpdate = Self.referenceTime.addingTimeInterval(-3600)
        let nextUpdate = Self.referenceTime.addingTimeInterval(30 * 86_400)
        try write(valid, "corpus/fuzz-crl/valid.der")
        try write(Self.pem(valid, "X509 CRL"), "corpus/fuzz-crl/valid.pem")
        let holderEntry = CRLIssuer.Entry(serial: pki.holder.serialNumber.bytes, date: thisUpdate, reason: 1)
        try write(try issuer.issue(entries: [other, holderEntry], thisUpdate: thisUpdate, nextUpdate: nextUpdate, crlNumber: 2),
                  "corpus/fuzz-crl/revokes-holder.der")
        try write(try issuer.issue(entries: [], thisUpdate: thisUpdate, nextUpdate: nextUpdate), "corpus/fuzz-crl/empty.der")
        try write(try issuer.issue(entries: [other], thisUpdate: thisUpdate, nextUpdate: nil), "corpus/fuzz-crl/near-no-next-update.der")
        try write(try issuer.issue(entries: [other], thisUpdate: Self.referenceTime.addingTimeInterval(-90 * 86_400),
                                   nextUpdate: Self.referenceTime.addingTimeInterval(-60 * 86_400)), "corpus/fuzz-crl/near-expired.der")
        let delta = Certificate.Extension(oid: [2, 5, 29, 27], critical: true, value: [0x02, 0x01, 0x01])
        try write(try issuer.issue(entries: [other], thisUpdate: thisUpdate, nextUpdate: nextUpdate, extensions: [delta]),
                  "corpus/fuzz-crl/near-delta.der")
        try write(try issuer.issue(entries: [other], thisUpdate: thisUpdate, nextUpdate: nextUpdate, tamper: true),
                  "corpus/fuzz-crl/near-tampered.der")
        try write(Array(valid.prefix(valid.count - 10)), "corpus/fuzz-crl/near-truncated.der")
    }
}
