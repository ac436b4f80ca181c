import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Percentiles worked by hand: linear interpolation between order statistics (numpy's default).
@Suite struct LatencySummaryTests {
    @Test func exactPercentilesOfFourValues() {
        // [1, 2, 3, 4] ms, given unsorted: rank p/100·3, so p50 at 1.5 → 2.5 ms, p90 at 2.7 → 3.7 ms,
        // p99 at 2.97 → 3.97 ms, p99.9 at 2.997 → 3.997 ms.
        let summary = LatencySummary(exactNs: [3_000_000, 1_000_000, 4_000_000, 2_000_000])
        #expect(summary.count == 4)
        #expect(summary.meanMs == 2.5)
        #expect(summary.p50Ms == 2.5)
        #expect(abs(summary.p90Ms - 3.7) < 1e-12)
        #expect(abs(summary.p99Ms - 3.97) < 1e-12)
        #expect(abs(summary.p999Ms - 3.997) < 1e-12)
        #expect(summary.maxMs == 4)
    }

    @Test func oneValueAndNone() {
        let one = LatencySummary(exactNs: [7_000_000])
        #expect(one.count == 1 && one.p50Ms == 7 && one.p999Ms == 7 && one.meanMs == 7 && one.maxMs == 7)
        #expect(LatencySummary(exactNs: []) == .empty)
        #expect(LatencySummary(histogram: TokenGapHistogram()) == .empty)
    }

    @Test func fromAHistogram() {
        var gaps = TokenGapHistogram()
        for gap: Int64 in [10_000_000, 20_000_000, 30_000_000, 40_000_000] { gaps.record(gap) }
        let summary = LatencySummary(histogram: gaps)
        #expect(summary.count == 4)
        #expect(summary.meanMs == 25)
        #expect(summary.maxMs == 40)
        #expect(abs(summary.p50Ms - 20) <= 20 * 0.001)
    }
}
