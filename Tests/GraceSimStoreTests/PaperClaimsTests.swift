import Foundation
import Testing
@testable import GraceSimStore

/// The claims catalog, the agreement logic and the generated `Results/paper/README.md` table.
@Suite struct PaperClaimsTests {
    static let catalogPath = StoreFixtures.path("Configs/sweeps/paper/claims.yaml")

    @Test func theCatalogParsesAndNamesExistingSweepsWithTheirAxes() throws {
        let catalog = try ClaimsCatalog.load(path: Self.catalogPath)
        #expect(catalog.claims.count >= 15)
        var sweepNames = Set<String>()
        for claim in catalog.claims {
            let path = catalog.sweepPath(claim)
            #expect(FileManager.default.fileExists(atPath: path), "claim \(claim.id): no sweep file \(path)")
            #expect(claim.pending == claim.sweep.hasPrefix("pending/"), "claim \(claim.id): pending sweeps live in pending/")
            let spec = try SweepSpec.load(path: path)
            sweepNames.insert(spec.name)
            // Baseline, treatment and filter name axes of the sweep, with values the sweep has.
            let axes = Dictionary(uniqueKeysWithValues: spec.axes.map { ($0.key, Set($0.values)) })
            for key in claim.baseline.keys {
                #expect(axes[key] != nil, "claim \(claim.id): \(key) is not an axis of \(spec.name)")
            }
            for selection in [claim.baseline, claim.treatment, claim.filter] {
                for (key, value) in selection {
                    #expect(axes[key]?.contains(value) == true, "claim \(claim.id): \(key)=\(value) is not on \(spec.name)'s grid")
                }
            }
            if let axis = claim.growsWith { #expect(axes[axis] != nil, "claim \(claim.id): grows_with \(axis) is not an axis") }
        }
        // Every runnable sweep of the folder is tested by some claim.
        let folder = (Self.catalogPath as NSString).deletingLastPathComponent
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".yaml") && name != "claims.yaml" {
            let spec = try SweepSpec.load(path: folder + "/" + name)
            #expect(sweepNames.contains(spec.name), "\(name) is tested by no claim")
        }
        let headline = try #require(catalog.claims.first { $0.id == "c1-sharegpt" })
        #expect(headline.expectations == [
            .init(metric: "tbt_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "ttft_p99_ms", direction: .lower, paperRange: 20.7...99.3),
            .init(metric: "output_tokens_per_s", direction: .higher, paperRange: 6.6...86.7),
        ])
        let amount = try #require(catalog.claims.first { $0.id == "dynamic-amount" })
        #expect(amount.baseline == ["strategy.amount": #"{"static":10}"#])
    }

    @Test func catalogMistakesAreRefused() {
        let bad = [
            "claims: [{id: a, experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {strategy: y}, expect: {}}]",
            "claims: [{id: a, experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {seed: 1}, expect: {m: {direction: lower}}}]",
            "claims: [{id: a, experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {strategy: y}, expect: {m: {direction: down}}}]",
            "claims: [{id: a, experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {strategy: y}, expect: {m: {direction: lower, paper: [5, 1]}}}]",
            "claims: [{id: a, experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {strategy: y}, expect: {m: {direction: lower}}, colour: red}]",
        ]
        for text in bad { #expect(throws: (any Error).self) { try ClaimsCatalog.parse(text, file: "claims.yaml") } }
    }

    /// Worked by hand: a latency that should fall by 44.8–82.5%.
    @Test func agreementInDirectionAndRangeWorkedByHand() {
        let range = 44.8...82.5
        // 100 -> 40 and 100 -> 50: changes -60% and -50%, median -55%: both points agree, 55 lies in the range.
        var v = ClaimEvaluation.verdict(metric: "tbt_p99_ms", direction: .lower, range: range, changes: [-60, -50])
        #expect(v.direction == .agrees && v.agreeing == 2 && v.inRange == true)
        // -30% and -10%: right direction, median improvement 20% is below 44.8.
        v = ClaimEvaluation.verdict(metric: "tbt_p99_ms", direction: .lower, range: range, changes: [-30, -10])
        #expect(v.direction == .agrees && v.inRange == false)
        // -90%, +5%, -50%: one point goes the wrong way (partly); median -50% is in range.
        v = ClaimEvaluation.verdict(metric: "tbt_p99_ms", direction: .lower, range: range, changes: [-90, 5, -50])
        #expect(v.direction == .partly && v.agreeing == 2 && v.inRange == true)
        // +10%: the wrong way; an improvement of -10% is outside the range.
        v = ClaimEvaluation.verdict(metric: "tbt_p99_ms", direction: .lower, range: range, changes: [10])
        #expect(v.direction == .disagrees && v.inRange == false)
        // No change at all does not count as agreeing.
        v = ClaimEvaluation.verdict(metric: "tbt_p99_ms", direction: .lower, range: nil, changes: [0])
        #expect(v.direction == .disagrees && v.inRange == nil)
        // Throughput should rise by 6.6–86.7%: +10% agrees and is in range; -10% is neither.
        v = ClaimEvaluation.verdict(metric: "output_tokens_per_s", direction: .higher, range: 6.6...86.7, changes: [10])
        #expect(v.direction == .agrees && v.inRange == true)
        v = ClaimEvaluation.verdict(metric: "output_tokens_per_s", direction: .higher, range: 6.6...86.7, changes: [-10])
        #expect(v.direction == .disagrees && v.inRange == false)
        #expect(ClaimEvaluation.percentChange(from: 200, to: 150) == -25)
        #expect(ClaimEvaluation.percentChange(from: 0, to: 1) == nil)
        #expect(ClaimEvaluation.median([3, 1, 2, 10]) == 2.5)
    }

    @Test func aChangeThatRoundsToZeroHasNoMinusSign() {
        #expect(PaperReport.percent(-0.04) == "+0.0%")
        #expect(PaperReport.percent(-0.0) == "+0.0%")
        #expect(PaperReport.percent(0.04) == "+0.0%")
        #expect(PaperReport.percent(-0.06) == "-0.1%")
        #expect(PaperReport.expected(.init(metric: "ttft_p99_ms", direction: .lower, paperRange: 0...10)) == "TTFT -10.0…+0.0%")
    }

    /// A small database: recompute and remap at two rates and two seeds.
    static func store() throws -> ResultStore {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "paper-c1-sharegpt", spec: "", version: "test")
        // (strategy, rate, seed, tbt, ttft, tput)
        let rows: [(String, String, Int, Double, Double, Double)] = [
            ("recompute", "0.1", 1, 100, 1000, 400), ("recompute", "0.1", 2, 120, 1200, 420),
            ("remap", "0.1", 1, 50, 900, 430), ("remap", "0.1", 2, 60, 1000, 450),
            ("recompute", "0.2", 1, 200, 2000, 500), ("recompute", "0.2", 2, 200, 2000, 500),
            ("remap", "0.2", 1, 60, 500, 600), ("remap", "0.2", 2, 80, 700, 600),
        ]
        for (index, r) in rows.enumerated() {
            let run = RunRecord(id: nil, sweepId: sweep, pointIndex: index,
                                point: PointJSON.encode([("strategy", r.0), ("workload.arrivals.rate_scale", r.1), ("seed", String(r.2))]),
                                config: "{}", configHash: "h\(index)", seed: Int64(r.2), strategy: r.0, hardware: "gh200-96gb",
                                status: .finished, wallSeconds: 0.5, simulatedSeconds: 600, error: nil, finishedAt: "now")
            let metrics = [("tbt_p99_ms", r.3), ("ttft_p99_ms", r.4), ("output_tokens_per_s", r.5)]
            try store.record(RunOutcome(run: run, metrics: metrics.map { MetricRecord(runId: 0, scope: "overall", metric: $0.0, value: $0.1) }))
        }
        return store
    }

    static let catalogText = """
        headline: &h
          tbt_p99_ms: {direction: lower, paper: [44.8, 82.5]}
          ttft_p99_ms: {direction: lower, paper: [20.7, 99.3]}
          output_tokens_per_s: {direction: higher, paper: [6.6, 86.7]}
        claims:
          - {id: c1, experiment: C1, sweep: c1-sharegpt.yaml, claim: "remap beats vLLM", baseline: {strategy: recompute},
             treatment: {strategy: remap}, expect: *h, grows_with: workload.arrivals.rate_scale}
          - {id: c1-low, experiment: C1 low, sweep: c1-sharegpt.yaml, claim: "at low load", baseline: {strategy: recompute},
             treatment: {strategy: remap}, where: {workload.arrivals.rate_scale: 0.1}, expect: {tbt_p99_ms: {direction: higher}},
             notes: "a known reason"}
          - {id: mps, experiment: MPS, sweep: c1-mps.yaml, claim: "spatial", baseline: {strategy: recompute},
             treatment: {strategy: remap}, expect: *h, pending: true, notes: "needs MPS"}
        """

    @Test func theReadmeHasARowPerClaimWithNumbersFromTheDatabase() throws {
        let store = try Self.store()
        let catalog = try ClaimsCatalog.parse(Self.catalogText, file: Self.catalogPath)
        let report = try PaperReport(catalog: catalog, store: store)
        let markdown = report.markdown()
        let tableRows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(tableRows.count == 1 + catalog.claims.count)  // the header and one row per claim
        #expect(report.rows.map { $0[0] } == ["c1", "c1-low", "mps"])

        // The numbers, recomputed here from the database's own values: seeds averaged, then (remap - recompute) / recompute.
        let runs = try store.runs()
        func mean(_ strategy: String, _ rate: String, _ metric: String) -> Double {
            let values = runs.filter { $0.run.strategy == strategy && $0.point["workload.arrivals.rate_scale"] == rate }
                .map { $0.metrics["overall"]![metric]! }
            return values.reduce(0, +) / Double(values.count)
        }
        let tbtLow = (mean("remap", "0.1", "tbt_p99_ms") - mean("recompute", "0.1", "tbt_p99_ms")) / mean("recompute", "0.1", "tbt_p99_ms") * 100
        let tbtHigh = (mean("remap", "0.2", "tbt_p99_ms") - mean("recompute", "0.2", "tbt_p99_ms")) / mean("recompute", "0.2", "tbt_p99_ms") * 100
        let c1 = report.rows[0]
        #expect(c1[4] == "2 × 2 seeds")
        #expect(c1[5] == "\(PaperReport.percent((tbtLow + tbtHigh) / 2)) (\(PaperReport.percent(min(tbtLow, tbtHigh))) … \(PaperReport.percent(max(tbtLow, tbtHigh))))")
        #expect(markdown.contains(PaperReport.percent(tbtLow)))
        let low = report.rows[1]
        #expect(low[5] == PaperReport.percent(tbtLow))
        // c1: TBT -50%/-65%, TTFT -13.6%/-70%, tput +7.3%/+20%: all the right way; medians 57.5 (in), 41.8 (in),
        // 13.7 (in); improvement grows from rate 0.1 to 0.2 in every metric.
        #expect(c1[9] == "yes; grows with rate_scale: TBT yes, TTFT yes, tput yes")
        #expect(c1[10] == "yes")
        #expect(c1[11] == "")
        // c1-low expects TBT to rise: it falls, so the row disagrees and gives the catalog's reason.
        #expect(low[9] == "no" && low[10] == "no range given" && low[11] == "a known reason")
        #expect(report.rows[2][5] == "pending" && report.rows[2][11] == "needs MPS")
    }
}
