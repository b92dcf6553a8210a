import Synchronization

/// The JSON text of `status` answers, kept for the last list of readers.
///
/// A page or program that asks for the status often gets the same readers back each time,
/// and encoding them through Codable's generic path was most of the daemon's work per status
/// (about two thirds of its instructions, by callgrind; BENCHMARKS.md). Only the `id` differs
/// from one answer to the next: the text is encoded once with a sentinel id, split around it,
/// and each answer is the two halves with the request's id, encoded, in between. The result
/// is the text `WireJSON` would write for the same message, byte for byte.
public final class StatusTextCache: Sendable {
    /// The cache the daemon's WebSocket answers use.
    public static let shared = StatusTextCache()

    private struct Entry {
        let readers: [ReaderInfo]
        let before: String
        let after: String
    }

    private let last = Mutex<Entry?>(nil)

    /// An id no request carries (NUL is no text a page sends in an id, nor a PC/SC reader
    /// name); if it ever appears in the readers themselves, nothing is cached.
    private static let sentinel = "\u{0}cps-bridge status id\u{0}"

    public init() {}

    /// The JSON text of `.status(id: id, readers: readers)`.
    public func text(id: String, readers: [ReaderInfo]) -> String {
        let cached = last.withLock { entry -> Entry? in
            guard let entry, entry.readers == readers else { return nil }
            return entry
        }
        guard let entry = cached ?? remember(readers) else {
            return Self.encode(.status(id: id, readers: readers))
        }
        return entry.before + String(decoding: WireJSON.encode(id), as: UTF8.self) + entry.after
    }

    /// Encodes the message for `readers` once with the sentinel id and keeps its two halves.
    private func remember(_ readers: [ReaderInfo]) -> Entry? {
        let text = Self.encode(.status(id: Self.sentinel, readers: readers))
        let marker = String(decoding: WireJSON.encode(Self.sentinel), as: UTF8.self)
        let parts = text.split(separator: marker, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let entry = Entry(readers: readers, before: String(parts[0]), after: String(parts[1]))
        last.withLock { $0 = entry }
        return entry
    }

    private static func encode(_ message: ServerMessage) -> String {
        String(decoding: WireJSON.encode(message), as: UTF8.self)
    }
}
