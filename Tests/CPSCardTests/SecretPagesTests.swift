@testable import PINEntry
import Testing

/// `SecretPages`: the locked pages PINs live in are zeroed when a PIN is released and kept for
/// the next one, a few at most; the rest are unmapped.
@Suite struct SecretPagesTests {
    @Test func aReleasedPINLeavesItsPageZeroed() throws {
        var address: UInt = 0
        do {
            let pin = SecretPIN(utf8: "918273")
            address = pin.withBytes { UInt(bitPattern: $0.baseAddress) }
        }
        // Released: the page is kept (mapped) for the next PIN, and holds nothing.
        let page = try #require(UnsafeRawPointer(bitPattern: address))
        #expect((0..<SecretPIN.pageSize).allSatisfy { page.load(fromByteOffset: $0, as: UInt8.self) == 0 })
    }

    @Test func pagesAreReusedUpToTheLimit() throws {
        let pages = SecretPages()
        let size = SecretPIN.pageSize
        let first = try #require(pages.take(length: size))
        pages.give(first, length: size)
        #expect(pages.freeCount == 1)
        #expect(pages.take(length: size) == first, "a kept page is handed out again")
        #expect(pages.freeCount == 0)
        // More pages given back than the limit: the extra ones are unmapped, not kept.
        let many = try (0..<(SecretPages.limit + 2)).map { _ in try #require(pages.take(length: size)) }
        for page in many + [first] { pages.give(page, length: size) }
        #expect(pages.freeCount == SecretPages.limit)
        // A PIN longer than a page gets pages of its own, never kept.
        let large = try #require(pages.take(length: 2 * size))
        pages.give(large, length: 2 * size)
        #expect(pages.freeCount == SecretPages.limit)
    }
}
