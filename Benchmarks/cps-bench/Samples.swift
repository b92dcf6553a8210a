import Foundation

/// Timings of one series, in milliseconds, with nearest-rank percentiles.
struct Samples {
    private(set) var values: [Double] = []

    mutating func append(_ duration: Duration) {
        values.append(Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15)
    }

    /// Appends a figure already in milliseconds.
    mutating func append(milliseconds value: Double) {
        values.append(value)
    }

    var count: Int { values.count }

    /// The nearest-rank percentile `p` (0...100): the smallest sample with at least p% of the
    /// samples at or below it. With 20 samples, p99 is the maximum.
    func percentile(_ p: Double) -> Double {
        precondition(!values.isEmpty, "no samples")
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    var median: Double { percentile(50) }
    var maximum: Double { values.max() ?? 0 }

    /// `median 0.123  p90 0.234  p99 0.345  max 0.456 ms (n=2000)`
    var summary: String {
        "median \(ms(median))  p90 \(ms(percentile(90)))  p99 \(ms(percentile(99)))  max \(ms(maximum)) ms (n=\(count))"
    }
}

/// A millisecond figure: three decimals below 10 ms, one above.
func ms(_ value: Double) -> String {
    String(format: value < 10 ? "%.3f" : "%.1f", value)
}

/// A range of counts: `47` when stable, `47-49` otherwise.
func range(_ values: [Int]) -> String {
    guard let low = values.min(), let high = values.max() else { return "-" }
    return low == high ? "\(low)" : "\(low)-\(high)"
}
