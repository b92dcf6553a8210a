#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A PIN: bytes in memory of its own, zeroed when released, that print as `<redacted>`.
///
/// It never becomes a `String`, so it cannot reach a log line or an error message by
/// interpolation. Hand the bytes to the module inside `withBytes` only.
///
/// The memory is a page of its own (`mmap`), marked `MADV_DONTDUMP` so that a core dump never
/// holds it, and locked (`mlock`, best effort) so that it is never written to swap. Released,
/// the page is zeroed and kept for the next PIN (`SecretPages`, a few at most): mapping,
/// locking, unlocking and unmapping a page for every login cost five system calls, and the
/// unmapping a TLB shoot-down on every core that runs one of the daemon's threads.
public final class SecretPIN: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked: the buffer is written only in init and deinit.
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let mapped: Bool

    /// Copies `bytes` into the secret's own memory. The caller should zero its copy.
    public init(bytes: some Collection<UInt8>) {
        let length = Self.pageSize * ((max(bytes.count, 1) + Self.pageSize - 1) / Self.pageSize)
        if let page = SecretPages.shared.take(length: length) {
            buffer = UnsafeMutableBufferPointer(start: page.assumingMemoryBound(to: UInt8.self), count: length)
            mapped = true
        } else {
            buffer = .allocate(capacity: max(bytes.count, 1))
            mapped = false
        }
        _ = UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count]).initialize(from: bytes)
        count = bytes.count
    }

    static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)

    /// Whether the PIN's memory is excluded from core dumps (its own `MADV_DONTDUMP` page).
    public var isExcludedFromCoreDumps: Bool { mapped }

    /// Takes the UTF-8 of `text` (from a JSON body or a pinentry answer).
    public convenience init(utf8 text: some StringProtocol) {
        var bytes = Array(text.utf8)
        self.init(bytes: bytes)
        for i in bytes.indices { bytes[i] = 0 }
    }

    public let count: Int

    /// Whether the PIN is made of ASCII digits only, `minLength...maxLength` long.
    public func isWellFormed(minLength: Int = 4, maxLength: Int = 12) -> Bool {
        (minLength...maxLength).contains(count) && buffer.prefix(count).allSatisfy { (0x30...0x39).contains($0) }
    }

    /// Lends the PIN's bytes to `body`; they must not outlive the call.
    public func withBytes<T, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        try body(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<count]))
    }

    deinit {
        // explicit_bzero is not elided by the optimiser.
        guard let base = buffer.baseAddress else { return }
        explicit_bzero(base, buffer.count)
        if mapped {
            SecretPages.shared.give(UnsafeMutableRawPointer(base), length: buffer.count)
        } else {
            buffer.deallocate()
        }
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Locked, never-dumped pages for `SecretPIN`, zeroed, kept for reuse: at most `limit` pages
/// of one page each; anything else is mapped for its PIN and unmapped after.
final class SecretPages: Sendable {
    static let shared = SecretPages()
    static let limit = 4

    /// Free pages, by address.
    private let free = Mutex<[UInt]>([])

    /// A zeroed page (or `length` bytes of pages) that is `MADV_DONTDUMP` and locked (best
    /// effort); nil if none can be mapped.
    func take(length: Int) -> UnsafeMutableRawPointer? {
        if length == SecretPIN.pageSize, let address = free.withLock({ $0.popLast() }) {
            return UnsafeMutableRawPointer(bitPattern: address)
        }
        guard let page = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              page != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        _ = madvise(page, length, MADV_DONTDUMP)
        _ = mlock(page, length)
        return page
    }

    /// Takes back `page`, already zeroed by the caller: kept when there is room, else unlocked
    /// and unmapped.
    func give(_ page: UnsafeMutableRawPointer, length: Int) {
        let kept = length == SecretPIN.pageSize && free.withLock { pages in
            guard pages.count < Self.limit else { return false }
            pages.append(UInt(bitPattern: page))
            return true
        }
        guard !kept else { return }
        _ = munlock(page, length)
        _ = munmap(page, length)
    }

    /// Pages kept for reuse now (for tests).
    var freeCount: Int { free.withLock { $0.count } }
}
