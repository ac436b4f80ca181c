import GraceSimTestSupport
import Testing
@testable import GraceSim

/// TPOT, ITL, each request's worst gap, the share of gaps with another request's prefill, and the benchmark
/// duration, on two requests driven iteration by iteration with hand-chosen iteration times.
@Suite struct BenchmarkMetricsTests {
    /// Without chunked prefill. A (16 + 4 tokens) arrives at 0, B (16 + 3) at 2.5 µs, while A's first decode runs:
    ///
    ///     iteration  runs              ends at   tokens
    ///     1 (1 µs)   prefill A         1 µs      A1
    ///     2 (2 µs)   decode A          3 µs      A2
    ///     3 (5 µs)   prefill B alone   8 µs      B1
    ///     4 (3 µs)   decode A, B       11 µs     A3, B2
    ///     5 (2 µs)   decode A, B       13 µs     A4, B3 (both finish)
    ///
    /// A's gaps are 2, 8 and 2 µs, B's 3 and 2 µs. A's 8 µs gap holds B's prefill (iteration 3); B's own prefill
    /// is not in any of B's gaps. TPOT: A (13 − 1) / 3 = 4 µs, B (13 − 8) / 2 = 2.5 µs.
    @Test func twoRequestsWithoutChunkedPrefill() throws {
        let driver = try InstanceDriver(blocks: 64)
        let a = driver.add(prompt: 16, output: 4)
        let b = driver.add(prompt: 16, output: 3, arrivalNs: 2_500)
        #expect(driver.instance.arrive(a) == nil)
        #expect(driver.stepTaking(1_000))
        #expect(driver.stepTaking(2_000))
        #expect(driver.instance.arrive(b) == nil)
        #expect(driver.stepTaking(5_000))
        #expect(driver.requests.states[Int(a)].generatedTokens == 2, "iteration 3 prefills B alone")
        #expect(driver.stepTaking(3_000))
        #expect(driver.stepTaking(2_000))
        #expect(!driver.step())

        let m = driver.instance.metrics
        #expect(m.ttftNs == [1_000, 5_500])
        #expect(m.timePerOutputTokenNs == [4_000, 2_500])
        #expect(m.maxTokenGapNs == [8_000, 3_000])
        #expect(m.endToEndNs == [13_000, 10_500])
        #expect(m.tokenGaps.count == 5 && m.tokenGaps.sumNs == 17_000 && m.tokenGaps.maxNs == 8_000)
        #expect(m.tokenGapsWithPrefill == 1)
        #expect(driver.requests.states[Int(a)].timePerOutputTokenNs == 4_000)
        #expect(driver.requests.states[Int(b)].maxTokenGapNs == 3_000)
        #expect(driver.requests.states[Int(b)].finishNs == 13_000)

        let summary = BenchmarkMetrics([m])
        #expect(summary.tpot.count == 2 && summary.tpot.meanMs == 0.003_25 && summary.tpot.maxMs == 0.004)
        #expect(summary.itl.count == 5 && summary.itl.meanMs == 0.003_4 && summary.itl.maxMs == 0.008)
        #expect(summary.maxITL.p50Ms == 0.005_5 && summary.maxITL.maxMs == 0.008)
        #expect(summary.e2el.maxMs == 0.013 && summary.ttft.maxMs == 0.005_5)
        #expect(summary.itlPrefillGapFraction == 0.2)
        // First arrival (0) to last completion (13 µs); 7 output and 32 prompt tokens.
        #expect(summary.duration == SimTime(ns: 13_000))
        #expect(summary.throughput.requestsPerSecond == 2 / 13e-6)
        #expect(summary.throughput.outputTokensPerSecond == 7 / 13e-6)
        #expect(summary.throughput.totalTokensPerSecond == 39 / 13e-6)
        #expect(summary.goodputRequestsPerSecond == nil)
    }

    /// With chunked prefill and 8 tokens per iteration. A (8 + 3) and B (12 + 2) arrive at 0; every iteration
    /// takes 1 µs:
    ///
    ///     iteration  runs                          tokens
    ///     1          prefill A (8)                 A1
    ///     2          decode A, prefill B (7)       A2
    ///     3          decode A, prefill B (last 5)  A3 (A finishes), B1
    ///     4          decode B                      B2
    ///
    /// Both of A's gaps end in a mixed iteration with B's prefill; B's one gap follows its own prefill only.
    @Test func mixedIterationsOfChunkedPrefillCount() throws {
        let driver = try InstanceDriver(blocks: 64, maxNumSeqs: 4, maxNumBatchedTokens: 8, chunkedPrefill: true)
        let a = driver.add(prompt: 8, output: 3)
        let b = driver.add(prompt: 12, output: 2)
        #expect(driver.instance.arrive(a) == nil && driver.instance.arrive(b) == nil)
        while driver.step() {}
        #expect(driver.clockNs == 4_000)
        let m = driver.instance.metrics
        #expect(m.ttftNs == [1_000, 3_000])
        #expect(m.tokenGaps.count == 3)
        #expect(m.tokenGapsWithPrefill == 2)
        #expect(m.timePerOutputTokenNs == [1_000, 1_000])
        #expect(BenchmarkMetrics([m]).itlPrefillGapFraction == 2.0 / 3.0)
    }

    /// The prefill of a request other than r, never r's own, marks r's gaps; a batch of several prefills marks all.
    @Test func prefillTrackerRemembersTheLatestPrefillOfAnother() {
        var tracker = PrefillGapTracker()
        #expect(tracker.latestPrefillEnd(notOf: 1) == SimTime(ns: -1))
        tracker.notePrefill(end: SimTime(ns: 10), owner: 1)
        #expect(tracker.latestPrefillEnd(notOf: 1) == SimTime(ns: -1))
        #expect(tracker.latestPrefillEnd(notOf: 2) == SimTime(ns: 10))
        tracker.notePrefill(end: SimTime(ns: 20), owner: 2)
        tracker.notePrefill(end: SimTime(ns: 30), owner: 2)
        #expect(tracker.latestPrefillEnd(notOf: 2) == SimTime(ns: 10))
        #expect(tracker.latestPrefillEnd(notOf: 1) == SimTime(ns: 30))
        tracker.notePrefill(end: SimTime(ns: 40), owner: PrefillGapTracker.severalRequests)
        #expect(tracker.latestPrefillEnd(notOf: 2) == SimTime(ns: 40))
        tracker.notePrefill(end: SimTime(ns: 50), owner: 3)
        #expect(tracker.latestPrefillEnd(notOf: 3) == SimTime(ns: 40))
    }

    /// Per-request state stays within one cache line.
    @Test func requestStateStaysCompact() {
        #expect(MemoryLayout<RequestState>.size <= 64)
    }
}
