/// Mean and tail percentiles of one latency metric, in milliseconds, for reports.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var meanMs: Double
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var p999Ms: Double
    public var maxMs: Double

    public static let empty = LatencySummary(count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0)

    enum CodingKeys: String, CodingKey {
        case count, meanMs = "mean_ms", p50Ms = "p50_ms", p90Ms = "p90_ms", p99Ms = "p99_ms", p999Ms = "p99_9_ms", maxMs = "max_ms"
    }

    public init(count: Int, meanMs: Double, p50Ms: Double, p90Ms: Double, p99Ms: Double, p999Ms: Double, maxMs: Double) {
        self.count = count
        self.meanMs = meanMs
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.p999Ms = p999Ms
        self.maxMs = maxMs
    }

    /// Exact summary of `valuesNs` (percentiles by linear interpolation between order statistics, as numpy does).
    /// Sorts the values in place when the caller passes its only reference (a temporary, or `consume x`), and a
    /// copy otherwise.
    public init(exactNs valuesNs: consuming [Int64]) {
        var sorted = consume valuesNs
        guard !sorted.isEmpty else { self = .empty; return }
        sorted.sort()
        func percentile(_ p: Double) -> Double {
            let rank = p / 100 * Double(sorted.count - 1)
            let lower = Int(rank.rounded(.down))
            let upper = min(lower + 1, sorted.count - 1)
            let fraction = rank - Double(lower)
            return (Double(sorted[lower]) * (1 - fraction) + Double(sorted[upper]) * fraction) / 1e6
        }
        var sum = 0.0
        for value in sorted { sum += Double(value) }
        self.init(count: sorted.count, meanMs: sum / Double(sorted.count) / 1e6,
                  p50Ms: percentile(50), p90Ms: percentile(90), p99Ms: percentile(99), p999Ms: percentile(99.9),
                  maxMs: Double(sorted[sorted.count - 1]) / 1e6)
    }

    /// Summary of a token-gap histogram (percentiles within 0.1%; mean and max exact).
    public init(histogram: TokenGapHistogram) {
        guard histogram.count > 0 else { self = .empty; return }
        func ms(_ p: Double) -> Double { Double(histogram.valueNs(atPercentile: p)) / 1e6 }
        self.init(count: histogram.count, meanMs: histogram.sumNs / Double(histogram.count) / 1e6,
                  p50Ms: ms(50), p90Ms: ms(90), p99Ms: ms(99), p999Ms: ms(99.9), maxMs: Double(histogram.maxNs) / 1e6)
    }
}
