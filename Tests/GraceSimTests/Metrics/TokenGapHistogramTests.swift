import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Run-length recording and merging of token gaps.
@Suite struct TokenGapHistogramTests {
    static func histogram(_ gaps: [Int64]) -> TokenGapHistogram {
        var histogram = TokenGapHistogram()
        for gap in gaps { histogram.record(gap) }
        return histogram
    }

    /// 5, 5, 5, 7, 5: runs (5 × 3), (7 × 1) and a pending (5 × 1), all included in every query.
    @Test func runLengthRecording() {
        var histogram = Self.histogram([5, 5, 5, 7, 5])
        for _ in 0..<2 {
            #expect(histogram.count == 5)
            #expect(histogram.sumNs == 27)
            #expect(histogram.minNs == 5)
            #expect(histogram.maxNs == 7)
            #expect(abs(Double(histogram.valueNs(atPercentile: 50)) - 5) <= 5 * 0.001)
            #expect(histogram.valueNs(atPercentile: 100) == 7)
            histogram.flush()  // the same answers once the pending run is in the histogram
        }
    }

    @Test func percentilesWithinATenthOfAPercent() {
        let gaps = (1...1000).map { Int64($0) * 31_337 }
        let histogram = Self.histogram(gaps)
        for p in [10.0, 50, 90, 99] {
            let exact = Double(gaps[Int((p / 100 * 1000).rounded(.up)) - 1])
            #expect(abs(Double(histogram.valueNs(atPercentile: p)) - exact) <= exact * 0.001, "p\(p)")
        }
    }

    @Test func mergeAddsEverything() {
        var a = Self.histogram([5, 5])
        let b = Self.histogram([7, 9, 9])
        a.merge(b)
        #expect(a.count == 5 && a.sumNs == 35 && a.minNs == 5 && a.maxNs == 9)
        #expect(b.count == 3 && b.sumNs == 25)
        var empty = TokenGapHistogram()
        empty.merge(a)
        #expect(empty.count == 5 && empty.sumNs == 35 && empty.minNs == 5 && empty.maxNs == 9)
        a.merge(TokenGapHistogram())
        #expect(a.count == 5)
        a.record(1)
        #expect(a.count == 6 && a.minNs == 1 && a.sumNs == 36)
    }

    @Test func emptyHistogram() {
        let histogram = TokenGapHistogram()
        #expect(histogram.count == 0 && histogram.sumNs == 0 && histogram.maxNs == 0)
        #expect(histogram.valueNs(atPercentile: 50) == 0)
        #expect(histogram.cdf(points: 5).isEmpty)
    }
}
