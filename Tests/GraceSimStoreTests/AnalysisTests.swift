import Testing
@testable import GraceSimStore

/// `compare` and `diff` on small hand-made databases.
@Suite struct AnalysisTests {
    /// A store with one run per (strategy, rate), overall metrics given per run.
    static func store(_ runs: [(strategy: String, rate: String, metrics: [String: Double])]) throws -> ResultStore {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "s", spec: "", version: "test")
        for (index, r) in runs.enumerated() {
            let run = RunRecord(id: nil, sweepId: sweep, pointIndex: index,
                                point: PointJSON.encode([("strategy", r.strategy), ("workload.rate", r.rate)]),
                                config: "{}", configHash: "\(r.strategy)-\(r.rate)", seed: 1, strategy: r.strategy,
                                hardware: "gh200-96gb", status: .finished, wallSeconds: 1, simulatedSeconds: 1, error: nil,
                                finishedAt: "now")
            try store.record(RunOutcome(run: run, metrics: r.metrics.map { MetricRecord(runId: 0, scope: "overall", metric: $0.key, value: $0.value) }))
        }
        return store
    }

    static let metrics: [String: Double] = ["tbt_p99_ms": 100, "ttft_p99_ms": 1000, "output_tokens_per_s": 500, "preemptions": 10]

    @Test func compareGivesEachStrategyAgainstTheBaselinePerPoint() throws {
        let store = try Self.store([
            ("recompute", "1", Self.metrics), ("swap", "1", ["tbt_p99_ms": 80, "ttft_p99_ms": 1500, "output_tokens_per_s": 550]),
            ("swap", "2", ["tbt_p99_ms": 90, "ttft_p99_ms": 1, "output_tokens_per_s": 1]), ("recompute", "2", Self.metrics),
        ])
        let c = Comparison(runs: try store.runs(), baseline: "recompute")
        #expect(c.axes == ["workload.rate"])
        #expect(c.rows.map(\.strategy) == ["recompute", "swap", "recompute", "swap"])
        #expect(c.rows.map(\.point) == [["1"], ["1"], ["2"], ["2"]])
        #expect(c.rows[0].changes == [nil, nil, nil])
        #expect(c.rows[1].values == [80, 1500, 550])
        #expect(c.rows[1].changes == [-20, 50, 10])
    }

    @Test func diffListsMovementsAndFlagsOnlyBadDirections() throws {
        let old = try Self.store([("recompute", "1", Self.metrics)]).runs()
        func diff(_ changed: [String: Double], tolerance: Double = 0.02) throws -> ResultDiff {
            let new = try Self.store([("recompute", "1", Self.metrics.merging(changed) { $1 })]).runs()
            return ResultDiff(old: old, new: new, tolerance: tolerance)
        }
        #expect(try diff([:]).movements.isEmpty)
        #expect(try !diff([:]).hasRegression)
        #expect(try !diff(["tbt_p99_ms": 101.9]).hasRegression)             // within 2%
        #expect(try diff(["tbt_p99_ms": 103]).hasRegression)                // latency up 3%
        #expect(try !diff(["tbt_p99_ms": 90]).hasRegression)                // latency down: better
        #expect(try diff(["output_tokens_per_s": 400]).hasRegression)       // throughput down
        #expect(try !diff(["output_tokens_per_s": 600]).hasRegression)      // throughput up
        let neutral = try diff(["preemptions": 20])
        #expect(!neutral.hasRegression && neutral.movements.count == 1)
        let moved = try diff(["tbt_p99_ms": 110, "ttft_p99_ms": 900])
        #expect(moved.report() == [
            "WORSE    s[0] strategy=recompute workload.rate=1 (recompute-1) overall tbt_p99_ms: 100 -> 110 (+10.00%)",
            "BETTER   s[0] strategy=recompute workload.rate=1 (recompute-1) overall ttft_p99_ms: 1000 -> 900 (-10.00%)",
        ])
        #expect(try ResultDiff(old: old, new: Self.store([]).runs(), tolerance: 0.02).missing.count == 1)
        #expect(try diff(["tbt_p99_ms": 110]).movements.count == 1)
        let filtered = ResultDiff(old: old, new: try Self.store([("recompute", "1", Self.metrics.merging(["tbt_p99_ms": 200]) { $1 })]).runs(),
                                  tolerance: 0.02, metrics: ["ttft_*"])
        #expect(!filtered.hasRegression)
    }
}
