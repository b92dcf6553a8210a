import Foundation
import PKCS11
import Testing

/// The CPS layout: the authentication key and certificate share a CKA_ID that ends in 02.
let cpsAuthenticationID: [UInt8] = [0xe8, 0x28, 0xbd, 0x08, 0x0f, 0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x00, 0x10, 0x02]
/// `CKA_PRIVATE_EXPONENT`: never readable from a sensitive key.
let privateExponent = AttributeType(rawValue: 0x123)

extension SoftHSMTests {
    /// A token laid out like a CPS card: `CPS_PRIV_AUT` and `CPS_CERT_AUT` under one CKA_ID.
    func makeCPSLikeToken(_ prefix: String) throws -> (slot: Slot, certificate: [UInt8]) {
        let label = softHSM.uniqueLabel(prefix)
        let slot = try softHSM.makeToken(label: label)
        let certificate = try softHSM.importKeyAndCertificate(
            token: label, keyLabel: "CPS_PRIV_AUT", certificateLabel: "CPS_CERT_AUT",
            id: cpsAuthenticationID.map { String(format: "%02x", $0) }.joined()
        )
        return (slot, certificate)
    }

    @Test func findsTheKeyByLabelAndItsCertificateByID() throws {
        let (slot, certificateDER) = try makeCPSLikeToken("find")
        let session = try slot.openSession()
        // Objects written by pkcs11-tool after the token was listed are seen without re-init.
        #expect(try session.findObjects(class: .certificate).count == 1)
        #expect(try session.findObjects(class: .privateKey).isEmpty)  // private until login
        try login(session, pin: SoftHSM.userPIN)

        let keys = try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT")
        let key = try #require(keys.first)
        #expect(keys.count == 1)
        let keyID = try session.attribute(.id, of: key)
        #expect(keyID == cpsAuthenticationID)
        let certificates = try session.findObjects(class: .certificate, id: keyID)
        let certificate = try #require(certificates.first)
        #expect(certificates.count == 1)
        let attributes = try session.attributes([.label, .value, .objectClass, .id], of: certificate)
        #expect(attributes.label == "CPS_CERT_AUT")
        #expect(attributes.value == certificateDER)
        #expect(attributes.objectClass == .certificate)
        #expect(attributes.id == cpsAuthenticationID)

        #expect(Set(try session.findObjects(id: keyID)) == [key, certificate])
        #expect(try session.findObjects(label: "CPS_CERT_AUT") == [certificate])
        #expect(try session.findObjects([.objectClass(.privateKey), .keyType(.rsa), .bool(.sign, true)]) == [key])
        #expect(try session.findObjects(class: .privateKey, label: "CPS_PRIV_SIG").isEmpty)
        #expect(try session.findObjects(class: .certificate, id: [0x01]).isEmpty)
    }

    @Test func unreadableAttributesSayWhy() throws {
        let (slot, _) = try makeCPSLikeToken("attributes")
        let session = try slot.openSession()
        try login(session, pin: SoftHSM.userPIN)
        let key = try #require(try session.findObjects(class: .privateKey, label: "CPS_PRIV_AUT").first)
        let attributes = try session.attributes(
            [.label, .keyType, .objectClass, .sign, .modulus, .publicExponent, privateExponent, .ecPoint], of: key)
        #expect(attributes.label == "CPS_PRIV_AUT")
        #expect(attributes.keyType == .rsa)
        #expect(attributes.objectClass == .privateKey)
        #expect(attributes.bool(.sign) == true)
        #expect(attributes.modulus?.count == 256)
        #expect(attributes.publicExponent == [0x01, 0x00, 0x01])
        #expect(attributes.values[privateExponent] == .unavailable(.attributeSensitive))
        #expect(attributes.values[.ecPoint] == .unavailable(.attributeTypeInvalid))

        let sensitive = #expect(throws: PKCS11Error(.attributeSensitive, function: "C_GetAttributeValue")) {
            try session.attribute(privateExponent, of: key)
        }
        #expect(sensitive?.function == "C_GetAttributeValue")
        let certificate = try #require(try session.findObjects(class: .certificate).first)
        #expect(throws: PKCS11Error(.attributeTypeInvalid, function: "C_GetAttributeValue")) {
            try session.attribute(.modulus, of: certificate)
        }
        #expect(throws: PKCS11Error(.objectHandleInvalid, function: "C_GetAttributeValue")) {
            try session.attribute(.label, of: ObjectHandle(rawValue: 0xdead_beef))
        }
    }
}
