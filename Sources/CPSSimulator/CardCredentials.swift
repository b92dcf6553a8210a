import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The keys and certificates of one simulated card, kept in a state directory between runs:
/// `root-ca.pem`, `issuing-ca.pem`, `holder.pem` and their private keys (`*.key`, PKCS#1 PEM, 0600).
///
/// Keys are created once. A certificate is (re)issued when missing or when it no longer
/// matches its key, its issuer or, for the holder, the requested identity.
public struct CardCredentials: Sendable {
    public var root: Certificate
    public var issuing: Certificate
    public var holderCertificate: Certificate
    /// The holder's authentication key (`CPS_PRIV_AUT`), PKCS#1 DER.
    public var holderKeyDER: [UInt8]
    public var holder: HolderIdentity
    /// What this load did ("created holder key", "reissued holder certificate"), for the log.
    public var changes: [String]

    /// File names inside the state directory.
    public enum FileName {
        public static let rootCertificate = "root-ca.pem"
        public static let issuingCertificate = "issuing-ca.pem"
        public static let holderCertificate = "holder.pem"
        public static let rootKey = "root-ca.key"
        public static let issuingKey = "issuing-ca.key"
        public static let holderKey = "holder-auth.key"
    }

    /// Loads the credentials in `directory`, creating the directory, keys and certificates as needed.
    public static func loadOrCreate(in directory: String, holder: HolderIdentity) throws -> CardCredentials {
        let store = StateDirectory(path: directory)
        try store.create()
        var changes: [String] = []
        let rootKey = try store.key(FileName.rootKey, changes: &changes)
        let issuingKey = try store.key(FileName.issuingKey, changes: &changes)
        let holderKey = try store.key(FileName.holderKey, changes: &changes)

        var root = try store.certificate(FileName.rootCertificate)
        var reissue = false
        if root == nil || root?.publicKey != Certificate.PublicKey(rootKey.publicKey) {
            root = try TestPKI.makeRoot(key: rootKey)
            try store.write(root!, FileName.rootCertificate)
            changes.append("issued root CA certificate")
            reissue = true
        }
        var issuing = try store.certificate(FileName.issuingCertificate)
        if reissue || issuing == nil || issuing?.publicKey != Certificate.PublicKey(issuingKey.publicKey)
            || issuing?.issuer != root!.subject {
            issuing = try TestPKI.makeIssuing(key: issuingKey, root: root!, rootKey: rootKey)
            try store.write(issuing!, FileName.issuingCertificate)
            changes.append("issued intermediate CA certificate")
            reissue = true
        }
        var holderCertificate = try store.certificate(FileName.holderCertificate)
        let holderName = try TestPKI.holderName(holder)
        if reissue || holderCertificate == nil
            || holderCertificate?.publicKey != Certificate.PublicKey(holderKey.publicKey)
            || holderCertificate?.issuer != issuing!.subject
            || holderCertificate?.subject != holderName {
            holderCertificate = try TestPKI.makeHolder(holder, publicKey: holderKey.publicKey, issuing: issuing!,
                                                       issuingKey: issuingKey)
            try store.write(holderCertificate!, FileName.holderCertificate)
            changes.append("issued holder certificate")
        }
        return CardCredentials(root: root!, issuing: issuing!, holderCertificate: holderCertificate!,
                               holderKeyDER: Array(holderKey.derRepresentation), holder: holder, changes: changes)
    }

    /// The DER of a certificate.
    public static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}

/// Reads and writes the state directory's PEM files.
private struct StateDirectory {
    var path: String

    func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    func url(_ name: String) -> URL { URL(fileURLWithPath: path).appendingPathComponent(name) }

    /// Loads the RSA-2048 key in `name`, or creates it (mode 0600).
    func key(_ name: String, changes: inout [String]) throws -> _RSA.Signing.PrivateKey {
        if let pem = try? String(contentsOf: url(name), encoding: .utf8) {
            return try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let created = FileManager.default.createFile(atPath: url(name).path, contents: Data(key.pemRepresentation.utf8),
                                                     attributes: [.posixPermissions: 0o600])
        guard created else { throw CocoaError(.fileWriteUnknown) }
        changes.append("created \(name)")
        return key
    }

    func certificate(_ name: String) throws -> Certificate? {
        guard let pem = try? String(contentsOf: url(name), encoding: .utf8) else { return nil }
        return try? Certificate(pemEncoded: pem)
    }

    func write(_ certificate: Certificate, _ name: String) throws {
        let pem = try certificate.serializeAsPEM().pemString + "\n"
        try Data(pem.utf8).write(to: url(name), options: .atomic)
    }
}
