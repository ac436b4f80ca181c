import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// The arithmetic of a replay comparison, and an end-to-end replay of a real run.
@Suite struct ReplayTests {
    @Test func tpotOverOutputTokensAfterTheFirst() {
        #expect(Replay.tpot(ttft: 1, e2e: 3, output: 5) == 0.5)
        #expect(Replay.tpot(ttft: 1, e2e: 3, output: 1) == nil)
    }

    @Test func percentilesInterpolateLinearly() {
        let values = [4.0, 1, 3, 2]
        #expect(Replay.percentile(values, 50) == 2.5)
        #expect(Replay.percentile(values, 0) == 1)
        #expect(Replay.percentile(values, 100) == 4)
        #expect(abs(Replay.percentile(values, 90)! - 3.7) < 1e-12)
        #expect(Replay.percentile([], 50) == nil)
    }

    @Test func relativeErrorAndTargets() {
        let rows = [ReplayComparison.Row(metric: "TTFT", statistic: "median", unit: "s", real: 2, simulated: 2.6),
                    ReplayComparison.Row(metric: "TPOT", statistic: "median", unit: "ms", real: 40, simulated: 36),
                    ReplayComparison.Row(metric: "output throughput", statistic: "", unit: "tok/s", real: 0, simulated: 5)]
        #expect(abs(rows[0].relativeError! - 0.3) < 1e-12)
        #expect(abs(rows[1].relativeError! + 0.1) < 1e-12)
        #expect(rows[2].relativeError == nil)
        let comparison = ReplayComparison(run: "r", experiment: "e", requests: 1, unfinished: 0, arrivalsRecorded: true,
                                          rows: rows)
        let results = comparison.targetResults
        #expect(results.map(\.met) == [false, true])
        #expect(comparison.text().contains("+30.0%"))
        #expect(comparison.markdown().contains("| TPOT median (ms) | 40.00 | 36.00 | -10.0% |"))
    }
}
