import Histogram

/// All time-between-token gaps of a run, in nanoseconds, kept as an HDR histogram.
///
/// A run of a million requests has hundreds of millions of gaps, too many to keep; the histogram keeps
/// three significant digits (relative error ≤ 0.1%) in a few hundred kilobytes. The exact sum, count,
/// minimum and maximum are kept beside it.
public struct TokenGapHistogram: Sendable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    public private(set) var count: Int = 0
    public private(set) var sumNs: Double = 0
    public private(set) var minNs: Int64 = .max
    public private(set) var maxNs: Int64 = 0

    public init() {}

    /// Records one gap.
    public mutating func record(_ gapNs: Int64) {
        let value = UInt64(max(gapNs, 1))
        _ = histogram.record(value)
        count += 1
        sumNs += Double(gapNs)
        if gapNs < minNs { minNs = gapNs }
        if gapNs > maxNs { maxNs = gapNs }
    }

    /// Adds every gap of `other`.
    public mutating func merge(_ other: TokenGapHistogram) {
        guard other.count > 0 else { return }
        histogram.add(other.histogram)
        count += other.count
        sumNs += other.sumNs
        minNs = min(minNs, other.minNs)
        maxNs = max(maxNs, other.maxNs)
    }

    /// The gap at `percentile` (0–100), never outside the recorded minimum and maximum.
    public func valueNs(atPercentile percentile: Double) -> Int64 {
        guard count > 0 else { return 0 }
        let value = Int64(histogram.valueAtPercentile(percentile))
        return min(max(value, minNs), maxNs)
    }

    /// Cumulative distribution as (gap ns, fraction ≤ gap) pairs at `points` evenly spaced percentiles.
    public func cdf(points: Int) -> [(valueNs: Int64, fraction: Double)] {
        guard count > 0, points > 1 else { return [] }
        return (0..<points).map { i in
            let p = 100.0 * Double(i) / Double(points - 1)
            return (valueNs(atPercentile: p), p / 100)
        }
    }
}
