import Foundation

/// Reloads CRLs from files or URLs on a schedule and offers each to a `CRLStore`; the owner
/// runs it (`run()` in a task it cancels at shutdown, or `reloadOnce()` from its own timer).
///
/// A failed read or fetch, an unparsable file, a CRL that does not verify, is not current or
/// is older than the one in use: none of these drops the current CRL (`CRLStore.offer` keeps
/// the newest valid one). Each outcome goes to `report`, for the federator's logs.
public struct CRLReloader: Sendable {
    /// Where a CRL is read from: a file (PEM or DER) or an `http`/`https` URL (DER or PEM).
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case file(String)
        case url(URL)

        public var description: String {
            switch self {
            case .file(let path): path
            case .url(let url): url.absoluteString
            }
        }
    }

    public let store: CRLStore
    public let sources: [Source]
    /// Time between two rounds (default 1 hour).
    public let interval: Duration
    /// The longest one URL fetch may take (default 10 s), through `fetch`.
    public let timeout: Duration
    /// The largest CRL accepted (default 64 MiB).
    public let maxBytes: Int
    let report: @Sendable (Source, Result<CRLStore.Outcome, CRLReloadError>) -> Void
    /// Fetches a URL: `(url, timeout, maxBytes) -> bytes`. This module does no networking;
    /// `CPSRevocationOCSP.RevocationHTTP.fetcher()` gives one on AsyncHTTPClient. Without
    /// one, `.url` sources fail (`unreadable`).
    public typealias Fetcher = @Sendable (URL, Duration, Int) async throws -> [UInt8]
    let fetch: Fetcher?

    public init(store: CRLStore, sources: [Source], interval: Duration = .seconds(3600), timeout: Duration = .seconds(10),
                maxBytes: Int = 64 << 20, fetch: Fetcher? = nil,
                report: @escaping @Sendable (Source, Result<CRLStore.Outcome, CRLReloadError>) -> Void = { _, _ in }) {
        self.fetch = fetch
        self.store = store
        self.sources = sources
        self.interval = interval
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.report = report
    }

    /// One round: every source read and offered, in order.
    /// - Returns: each source's outcome.
    @discardableResult
    public func reloadOnce(now: @autoclosure () -> Date = Date()) async -> [Result<CRLStore.Outcome, CRLReloadError>] {
        var results: [Result<CRLStore.Outcome, CRLReloadError>] = []
        for source in sources {
            let result: Result<CRLStore.Outcome, CRLReloadError>
            do {
                let bytes = try await read(source)
                let crl: CertificateRevocationList
                do { crl = try CertificateRevocationList(bytes: bytes) } catch { throw CRLReloadError.unparsable(error.description) }
                result = .success(store.offer(crl, now: now()))
            } catch let error as CRLReloadError {
                result = .failure(error)
            } catch {
                result = .failure(.unreadable(String(describing: error)))
            }
            report(source, result)
            results.append(result)
        }
        return results
    }

    /// Reloads every `interval`, the first round at once, until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await reloadOnce()
            try? await Task.sleep(for: interval)
        }
    }

    func read(_ source: Source) async throws -> [UInt8] {
        switch source {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw CRLReloadError.unreadable("cannot read \(path)") }
            guard data.count <= maxBytes else { throw CRLReloadError.tooLarge(data.count) }
            return Array(data)
        case .url(let url):
            guard ["http", "https"].contains(url.scheme?.lowercased() ?? "") else { throw CRLReloadError.unreadable("not an http(s) URL") }
            guard let fetch else { throw CRLReloadError.unreadable("no URL fetcher configured") }
            let bytes = try await fetch(url, timeout, maxBytes)
            guard bytes.count <= maxBytes else { throw CRLReloadError.tooLarge(bytes.count) }
            return bytes
        }
    }
}

/// Why a CRL source gave nothing this round (the current CRL stays).
public enum CRLReloadError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(String)
    case tooLarge(Int)
    case unparsable(String)

    public var description: String {
        switch self {
        case .unreadable(let why): "cannot fetch: \(why)"
        case .tooLarge(let bytes): "\(bytes) bytes, over the limit"
        case .unparsable(let why): why
        }
    }
}
