import Histogram

/// All time-between-token gaps of a run, in nanoseconds, kept as an HDR histogram. Gaps and the values of its
/// queries are kept as raw ns: compact per-token storage.
///
/// A run of a million requests has hundreds of millions of gaps, too many to keep; the histogram keeps
/// three significant digits (relative error ≤ 0.1%) in a few hundred kilobytes. The exact sum, count,
/// minimum and maximum are kept beside it.
///
/// Every request decoded in one step usually sees the same gap, so equal consecutive gaps are counted
/// first and recorded together (``flush()``); queries include the pending run.
public struct TokenGapHistogram: Sendable {
    /// Sized for gaps up to 10⁵ s (about 28 hours) up front, so that recording and merging never resize;
    /// it still grows past that if it must.
    private var histogram: Histogram<UInt64> = {
        var histogram = Histogram<UInt64>(highestTrackableValue: 100_000_000_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }()
    private var recordedCount = 0
    private var recordedSumNs: Double = 0
    private var recordedMinNs: Int64 = .max
    private var recordedMaxNs: Int64 = 0
    /// A run of equal gaps not yet in the histogram.
    private var pendingGapNs: Int64 = 0
    private var pendingCount = 0

    public init() {}

    /// Records one gap.
    @inline(__always)
    public mutating func record(_ gapNs: Int64) {
        if gapNs == pendingGapNs {
            pendingCount += 1
        } else {
            flush()
            pendingGapNs = gapNs
            pendingCount = 1
        }
    }

    /// Moves the pending run of equal gaps into the histogram.
    public mutating func flush() {
        guard pendingCount > 0 else { return }
        _ = histogram.record(UInt64(max(pendingGapNs, 1)), count: UInt64(pendingCount))
        recordedCount += pendingCount
        recordedSumNs += Double(pendingGapNs) * Double(pendingCount)
        recordedMinNs = min(recordedMinNs, pendingGapNs)
        recordedMaxNs = max(recordedMaxNs, pendingGapNs)
        pendingCount = 0
    }

    /// The number of gaps recorded.
    public var count: Int { recordedCount + pendingCount }
    /// The sum of all gaps, in nanoseconds.
    public var sumNs: Double { recordedSumNs + Double(pendingGapNs) * Double(pendingCount) }
    /// The smallest gap (`Int64.max` when empty).
    public var minNs: Int64 { pendingCount > 0 ? min(recordedMinNs, pendingGapNs) : recordedMinNs }
    /// The largest gap (0 when empty).
    public var maxNs: Int64 { pendingCount > 0 ? max(recordedMaxNs, pendingGapNs) : recordedMaxNs }

    /// Adds every gap of `other`.
    public mutating func merge(_ other: TokenGapHistogram) {
        var other = other
        other.flush()
        flush()
        guard other.count > 0 else { return }
        histogram.add(other.histogram)
        recordedCount += other.recordedCount
        recordedSumNs += other.recordedSumNs
        recordedMinNs = min(recordedMinNs, other.recordedMinNs)
        recordedMaxNs = max(recordedMaxNs, other.recordedMaxNs)
    }

    /// The gap at `percentile` (0–100), never outside the recorded minimum and maximum.
    public func valueNs(atPercentile percentile: Double) -> Int64 {
        guard count > 0 else { return 0 }
        var complete = self
        complete.flush()
        let value = Int64(complete.histogram.valueAtPercentile(percentile))
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
