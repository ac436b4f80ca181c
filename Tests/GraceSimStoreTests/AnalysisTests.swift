import GraceSimStoreTestSupport
import GraceSimTestSupport
import Testing
import GraceSim
@testable import GraceSimStore
@testable import GraceSimSweeps

/// `compare` and `diff` on small hand-made databases.
@Suite struct AnalysisTests {
    /// A store with one run per (strategy, rate), overall metrics given per run.
    static func store(_ runs: [(strategy: String, rate: String, metrics: [String: Double])]) throws -> ResultStore {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "s", spec: "", version: "test")
        for (index, r) in runs.enumerated() {
            let run = RunRecord.finished(sweep: sweep, pointIndex: index,
                                         point: PointJSON.encode([("strategy", r.strategy), ("workload.rate", r.rate)]),
                                         configHash: "\(r.strategy)-\(r.rate)", strategy: r.strategy)
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
        let t = try #require(c.tables.first)
        #expect(c.tables.count == 1 && t.sweep == "s" && t.comparedAxis == "strategy" && t.baseline == "recompute")
        #expect(t.axes == ["workload.rate"])
        #expect(t.rows.map(\.strategy) == ["recompute", "swap", "recompute", "swap"])
        #expect(t.rows.map(\.point) == [["1"], ["1"], ["2"], ["2"]])
        #expect(t.rows[0].changes == [nil, nil, nil])
        #expect(t.rows[1].values.map { $0?.mean } == [80, 1500, 550])
        #expect(t.rows[1].changes == [-20, 50, 10])
    }

    /// A store of one or more sweeps: (sweep, strategy, axis values, seed, overall metrics) per run, in grid order.
    static func sweeps(_ runs: [(sweep: String, strategy: String, axes: [(String, String)], seed: Int64, metrics: [String: Double])]) throws -> ResultStore {
        let store = try ResultStore.inMemory()
        for (index, r) in runs.enumerated() {
            let sweep = try store.sweepId(name: r.sweep, spec: "name: \(r.sweep)", version: "test")
            let axes = r.axes.map { (axis: $0.0, value: $0.1) } + [(axis: "seed", value: String(r.seed))]
            let run = RunRecord.finished(sweep: sweep, pointIndex: index, point: PointJSON.encode(axes), configHash: "h\(index)",
                                         seed: r.seed, strategy: r.strategy)
            try store.record(RunOutcome(run: run, metrics: r.metrics.sorted { $0.key < $1.key }.map {
                MetricRecord(runId: 0, scope: "overall", metric: $0.key, value: $0.value)
            }))
        }
        return store
    }

    @Test func seedsAreAveragedWithTheirCountAndRange() throws {
        let store = try Self.sweeps([
            ("s", "recompute", [("strategy", "recompute"), ("rate", "2")], 1, ["tbt_p99_ms": 100]),
            ("s", "recompute", [("strategy", "recompute"), ("rate", "2")], 2, ["tbt_p99_ms": 140]),
            ("s", "remap", [("strategy", "remap"), ("rate", "2")], 1, ["tbt_p99_ms": 90]),
            ("s", "remap", [("strategy", "remap"), ("rate", "2")], 2, ["tbt_p99_ms": 90]),
            ("s", "remap", [("strategy", "remap"), ("rate", "2")], 3, ["tbt_p99_ms": 117]),
        ])
        let t = try #require(Comparison(runs: try store.runs(), metrics: ["tbt_p99_ms"]).tables.first)
        #expect(t.axes.isEmpty, "one rate is a fixed axis, not a column")
        #expect(t.fixed == [.init(axis: "rate", value: "2")])
        #expect(t.rows.map(\.seeds) == [[1, 2], [1, 2, 3]])
        #expect(t.rows[0].values == [.init(mean: 120, minimum: 100, maximum: 140, count: 2)])
        #expect(t.rows[1].values == [.init(mean: 99, minimum: 90, maximum: 117, count: 3)])
        #expect(t.rows[1].changes == [-17.5])  // (99 - 120) / 120
        #expect(t.showsSpread)
        #expect(t.cells(t.rows[1]).map(\.spread) == ["±14"] && t.cells(t.rows[1]).map(\.change) == ["-17.5%"])
        #expect(Comparison.caption(t).contains("mean of 2–3 seeds"))
    }

    @Test func theBaselineDefaultsToTheSweepsFirstValueWithoutRecompute() throws {
        let store = try Self.sweeps([
            // Strategies without recompute: the first in grid order.
            ("strategies", "pie", [("strategy", "pie")], 1, ["tbt_p99_ms": 50]),
            ("strategies", "remap", [("strategy", "remap")], 1, ["tbt_p99_ms": 40]),
            // recompute comes first even when it is not first in the grid.
            ("with-recompute", "remap", [("strategy", "remap")], 1, ["tbt_p99_ms": 40]),
            ("with-recompute", "recompute", [("strategy", "recompute")], 1, ["tbt_p99_ms": 80]),
            // An ablation: the compared axis is the varying option, its first value the baseline.
            ("ablation", "remap", [("strategy.victim", "lru"), ("rate", "0.5")], 1, ["tbt_p99_ms": 100]),
            ("ablation", "remap", [("strategy.victim", "mru"), ("rate", "0.5")], 1, ["tbt_p99_ms": 110]),
            ("ablation", "remap", [("strategy.victim", "lru"), ("rate", "1")], 1, ["tbt_p99_ms": 200]),
            ("ablation", "remap", [("strategy.victim", "mru"), ("rate", "1")], 1, ["tbt_p99_ms": 150]),
            // One strategy, nothing to compare with: no baseline.
            ("alone", "remap", [("rate", "1")], 1, ["tbt_p99_ms": 1]),
            ("alone", "remap", [("rate", "2")], 1, ["tbt_p99_ms": 2]),
        ])
        let c = Comparison(runs: try store.runs(), metrics: ["tbt_p99_ms"])
        #expect(c.tables.map(\.sweep) == ["strategies", "with-recompute", "ablation", "alone"])
        #expect(c.tables.map(\.baseline) == ["pie", "recompute", "lru", nil])
        #expect(c.tables[0].rows[1].changes == [-20])
        #expect(c.tables[1].rows.map(\.variant) == ["recompute", "remap"] && c.tables[1].rows[1].changes == [-50])
        let ablation = c.tables[2]
        #expect(ablation.comparedAxis == "strategy.victim" && ablation.axes == ["rate"])
        #expect(ablation.rows.map(\.variant) == ["lru", "mru", "lru", "mru"])
        #expect(ablation.rows.map { $0.changes[0] } == [nil, 10, nil, -25])
        #expect(c.tables[3].rows.allSatisfy { $0.changes == [nil] && !$0.isBaseline })
        // A requested baseline applies where the sweep has it.
        let mru = Comparison(runs: try store.runs(), baseline: "mru", metrics: ["tbt_p99_ms"])
        #expect(mru.tables.map(\.baseline) == ["pie", "recompute", "mru", nil])
        #expect(mru.tables[2].rows.map(\.variant) == ["mru", "lru", "mru", "lru"])
        #expect(throws: StoreError.self) { try Comparison.validate(runs: try store.runs(), file: "x", baseline: "fifo") }
        try Comparison.validate(runs: try store.runs(), file: "x", baseline: "mru")
    }

    @Test func aColumnHasOnePrecisionFromItsLargestValue() {
        #expect(Comparison.decimals(forColumn: [1234.5, 2.25]) == 0)
        #expect(Comparison.decimals(forColumn: [99.9, 2.25]) == 1)
        #expect(Comparison.decimals(forColumn: [-5, 0.001]) == 2)
        #expect(Comparison.decimals(forColumn: [0.25, 0.5]) == 3)
        #expect(Comparison.decimals(forColumn: [0.0123]) == 4)
        #expect(Comparison.decimals(forColumn: [0, 0]) == 0)
        #expect(Comparison.decimals(forColumn: []) == 0)
        #expect(Comparison.fixed(-0.0004, decimals: 3) == "0.000")
        #expect(Comparison.fixed(1.26, decimals: 1) == "1.3" && Comparison.fixed(1234.5678, decimals: 0) == "1235")
        #expect(Comparison.shortLabels(["workload.arrivals.rate_scale", "instances.0.memory_fraction", "instances.1.memory_fraction", "strategy"])
                == ["rate_scale", "0.memory_fraction", "1.memory_fraction", "strategy"])
    }

    @Test func signedPercentNeverReadsMinusZero() {
        #expect(SignedPercent.string(-0.04) == "+0.0%")
        #expect(SignedPercent.string(-0.0) == "+0.0%")
        #expect(SignedPercent.string(-0.06) == "-0.1%")
        #expect(SignedPercent.string(3.25, decimals: 2) == "+3.25%")
        #expect(SignedPercent.string(-0.004, decimals: 2) == "+0.00%")
        #expect(SignedPercent.string(-0.4, decimals: 0) == "+0%")
        #expect(SignedPercent.string(-12.4, decimals: nil) == "-12%")
        #expect(SignedPercent.string(9.94, decimals: nil) == "+9.9%")
        #expect(SignedPercent.string(9.96, decimals: nil) == "+10%")
        #expect(SignedPercent.string(.infinity) == "+inf%" && SignedPercent.string(-.infinity) == "-inf%")
        #expect(SignedPercent.signed(-0.01) == "+0.0")
    }

    @Test func pointsStoreNumbersAsNumbersAndReadBothForms() {
        let typed = PointJSON.encode([("strategy", "remap"), ("workload.lengths.prompt", "1536"), ("rate", "0.25"),
                                      ("strategy.amount", "{static: 4}"), ("strategy.reversion", "true"), ("path", "a.csv")])
        #expect(typed == #"{"path":"a.csv","rate":0.25,"strategy":"remap","strategy.amount":"{static: 4}","strategy.reversion":true,"workload.lengths.prompt":1536}"#)
        let expected = ["path": "a.csv", "rate": "0.25", "strategy": "remap", "strategy.amount": "{static: 4}",
                        "strategy.reversion": "true", "workload.lengths.prompt": "1536"]
        #expect(PointJSON.decode(typed) == expected)
        // The all-string form of databases written before v3.
        #expect(PointJSON.decode(#"{"path":"a.csv","rate":"0.25","strategy":"remap","strategy.amount":"{static: 4}","strategy.reversion":"true","workload.lengths.prompt":"1536"}"#) == expected)
        #expect(PointJSON.typed(".nan") == "\".nan\"" && PointJSON.typed("\"1\"") == "\"\\\"1\\\"\"")
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
            "s[0] strategy=recompute workload.rate=1 (recompute-1)",
            "  WORSE    overall tbt_p99_ms: 100 -> 110 (+10.00%)",
            "  BETTER   overall ttft_p99_ms: 1000 -> 900 (-10.00%)",
        ])
        #expect(try ResultDiff(old: old, new: Self.store([]).runs(), tolerance: 0.02).missing.count == 1)
        #expect(try diff(["tbt_p99_ms": 110]).movements.count == 1)
        // Plain digits, never an exponent; long lines wrap within 100 columns.
        #expect(ResultDiff.number(1.5e-7) == "0.0000001500" && ResultDiff.number(123_456.789) == "123457"
                && ResultDiff.number(12.34567) == "12.35" && ResultDiff.number(2e20) == "200000000000000000000")
        let long = ResultDiff.wrapped("  WORSE    " + Array(repeating: "axis.name=value", count: 12).joined(separator: " "))
        #expect(long.count == 3 && long.allSatisfy { $0.count <= 100 } && long[0].hasPrefix("  WORSE    axis")
                && long[1].hasPrefix("      axis"), "\(long)")
        let filtered = ResultDiff(old: old, new: try Self.store([("recompute", "1", Self.metrics.merging(["tbt_p99_ms": 200]) { $1 })]).runs(),
                                  tolerance: 0.02, metrics: ["ttft_*"])
        #expect(!filtered.hasRegression)
    }
}
