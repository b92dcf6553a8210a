import CPSAuthVerifier
import Crypto
import Foundation
import Synchronization
import X509

/// Verified OCSP answers by issuer key and serial number, each until its response's
/// `nextUpdate`; at most `capacity` of them.
final class OCSPCache: Sendable {
    struct Key: Hashable, Sendable {
        /// SHA-256 of the issuer's SubjectPublicKeyInfo: the same name with another key is
        /// another issuer.
        var issuerKeyHash: [UInt8]
        var serial: Certificate.SerialNumber

        init(issuer: Certificate, serial: Certificate.SerialNumber) {
            issuerKeyHash = Array(SHA256.hash(data: issuer.publicKey.subjectPublicKeyInfoBytes))
            self.serial = serial
        }
    }

    struct Entry: Sendable {
        var status: OCSPStatus
        var until: Date
    }

    let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.withLock { $0.count } }

    /// The cached answer, while `now <= nextUpdate`.
    func lookup(_ key: Key, now: Date) -> OCSPStatus? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now <= entry.until else {
                entries[key] = nil
                return nil
            }
            return entry.status
        }
    }

    /// Keeps `status` until `until`. When full: expired answers go first, then the ones
    /// expiring soonest.
    func store(_ key: Key, status: OCSPStatus, until: Date, now: Date) {
        guard until >= now else { return }
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= capacity {
                entries = entries.filter { $0.value.until >= now }
                while entries.count >= capacity, let soonest = entries.min(by: { $0.value.until < $1.value.until }) {
                    entries[soonest.key] = nil
                }
            }
            entries[key] = Entry(status: status, until: until)
        }
    }
}
