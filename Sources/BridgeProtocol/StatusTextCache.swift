import Synchronization

/// The JSON text of `status` answers, kept for the last list of readers.
///
/// A page or program that asks for the status often gets the same readers back each time.
/// Only the `id` differs from one answer to the next: the text is written once with a
/// sentinel id, split around it, and each answer is the two halves with the request's id,
/// escaped, in between. The result is the text `ServerMessage.jsonBytes()` (and `WireJSON`)
/// writes for the same message, byte for byte. Even with `JSONWriter` writing the whole
/// message, splicing stays about twice as fast (BENCHMARKS.md, "Writing the wire JSON").
public final class StatusTextCache: Sendable {
    /// The cache the daemon's WebSocket answers use.
    public static let shared = StatusTextCache()

    private struct Entry {
        let readers: [ReaderInfo]
        let before: [UInt8]
        let after: [UInt8]
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
        var writer = JSONWriter(capacity: entry.before.count + entry.after.count + id.utf8.count + 8)
        writer.raw(entry.before)
        writer.string(id)
        writer.raw(entry.after)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Writes the message for `readers` once with the sentinel id and keeps its two halves.
    private func remember(_ readers: [ReaderInfo]) -> Entry? {
        let text = ServerMessage.status(id: Self.sentinel, readers: readers).jsonBytes()
        var marker = JSONWriter(capacity: 32)
        marker.string(Self.sentinel)
        let parts = text.split(separator: marker.bytes, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let entry = Entry(readers: readers, before: Array(parts[0]), after: Array(parts[1]))
        last.withLock { $0 = entry }
        return entry
    }

    private static func encode(_ message: ServerMessage) -> String {
        String(decoding: message.jsonBytes(), as: UTF8.self)
    }
}
