import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSimReport
@testable import GraceSimStore
@testable import GraceSimSweeps

/// The claims catalog, the agreement logic and the generated `Results/paper/README.md` table.
@Suite struct PaperClaimsTests {
    static let catalogPath = Repository.path("Configs/sweeps/paper/claims.yaml")

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
        // tbt_p99_ms stands for the three readings of the paper's TBT, each expected alike.
        #expect(headline.expectations == [
            .init(metric: "itl_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "tpot_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "max_itl_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "ttft_p99_ms", direction: .lower, paperRange: 20.7...99.3),
        ])
        // Throughput is judged at capacity, on the closed-loop sweep.
        let throughput = try #require(catalog.claims.first { $0.id == "c1-sharegpt-throughput" })
        #expect(throughput.sweep == "c1-capacity.yaml")
        #expect(throughput.expectations == [.init(metric: "output_tokens_per_s", direction: .higher, paperRange: 6.6...86.7)])
        // Spatial sharing is judged on its gain against temporal sharing's at capacity.
        for id in ["spatial-mps", "spatial-mig"] {
            let spatial = try #require(catalog.claims.first { $0.id == id })
            #expect(spatial.gainAgainst == .init(.smaller, "c1-sharegpt-throughput"), "\(id)")
            #expect(spatial.expectations == [.init(metric: "output_tokens_per_s", direction: .higher)], "\(id)")
        }
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
            // tbt_p99_ms already expects tpot_p99_ms.
            "claims: [{id: a, experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {strategy: y}, expect: {tbt_p99_ms: {direction: lower}, tpot_p99_ms: {direction: higher}}}]",
        ] + [
            // A gain compared with no claim, with itself, with a claim judged the same way, with a claim that does not
            // expect the metric (or not in that direction); a paper range on the comparing claim; a malformed `gain`.
            ("{smaller_than: nobody}", "higher"), ("{smaller_than: b}", "higher"), ("{smaller_than: c}", "higher"),
            ("{smaller_than: t}", "lower"), ("{smaller_than: t}", "higher, paper: [1, 2]"),
            ("{less_than: t}", "higher"), ("t", "higher"), ("{smaller_than: t, larger_than: t}", "higher"),
        ].map { gain, direction in Self.gainCatalog(gain: gain, direction: direction) }
        for text in bad { #expect(throws: (any Error).self) { try ClaimsCatalog.parse(text, file: "claims.yaml") } }
        // The same catalog with a well-formed comparison parses.
        let good = try? ClaimsCatalog.parse(Self.gainCatalog(gain: "{larger_than: t}", direction: "higher"), file: "claims.yaml")
        #expect(good?.claims[1].gainAgainst == .init(.larger, "t"))
    }

    /// Claims t; b, judged on its gain as `gain` says, expecting m in `direction`; c, judged against t's gain.
    static func gainCatalog(gain: String, direction: String) -> String {
        let common = "experiment: e, sweep: s.yaml, claim: c, baseline: {strategy: x}, treatment: {strategy: y}"
        return """
            claims: [{id: t, \(common), expect: {m: {direction: higher}}},
                     {id: b, \(common), expect: {m: {direction: \(direction)}}, gain: \(gain)},
                     {id: c, \(common), expect: {m: {direction: higher}}, gain: {smaller_than: t}}]
            """
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

    @Test func tbtStandsForItsThreeReadingsAndOtherMetricsStayAsTheyAre() throws {
        let catalog = try ClaimsCatalog.parse(Self.catalogText, file: "claims.yaml")
        #expect(ClaimsCatalog.tbtDefinitions.map(\.short) == ["ITL", "TPOT", "worst gap"])
        #expect(ClaimsCatalog.tableMetrics == ["itl_p99_ms", "tpot_p99_ms", "max_itl_p99_ms", "ttft_p99_ms", "output_tokens_per_s"])
        #expect(catalog.claims[0].expectations == [
            .init(metric: "itl_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "tpot_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "max_itl_p99_ms", direction: .lower, paperRange: 44.8...82.5),
            .init(metric: "ttft_p99_ms", direction: .lower, paperRange: 20.7...99.3),
            .init(metric: "output_tokens_per_s", direction: .higher, paperRange: 6.6...86.7),
        ])
        #expect(catalog.claims[1].expectations.map(\.metric) == ["itl_p99_ms", "tpot_p99_ms", "max_itl_p99_ms"])
        #expect(catalog.claims[1].expectations.allSatisfy { $0.direction == .higher && $0.paperRange == nil })
        #expect(catalog.claims[2].expectations == [.init(metric: "ttft_p99_ms", direction: .lower)])
        // The paper's range column names TBT once, not once per reading.
        #expect(PaperReport.expectedCell(catalog.claims[0]) == "TBT -82.5…-44.8%, TTFT -99.3…-20.7%, tput +6.6…+86.7%")
        #expect(PaperReport.expectedCell(catalog.claims[1]) == "TBT higher")
    }

    @Test func aChangeThatRoundsToZeroHasNoMinusSign() {
        #expect(PaperReport.percent(-0.04) == "+0.0%")
        #expect(PaperReport.percent(-0.0) == "+0.0%")
        #expect(PaperReport.percent(0.04) == "+0.0%")
        #expect(PaperReport.percent(-0.06) == "-0.1%")
        #expect(PaperReport.expected(.init(metric: "ttft_p99_ms", direction: .lower, paperRange: 0...10)) == "TTFT -10.0…+0.0%")
    }

    @Test func secondsHaveTwoSignificantDigitsAndNoExponent() {
        let cases: [(Double, String)] = [
            (0.05, "0.05"), (0.0514, "0.051"), (0.5, "0.5"), (0.45, "0.45"), (8.7, "8.7"), (8.0, "8"), (9.96, "10"),
            (26, "26"), (26.4, "26"), (152, "150"), (1234, "1200"), (1_234_567, "1200000"), (0, "0"), (0.000_12, "0.00012"),
        ]
        for (value, text) in cases { #expect(PaperReport.significant(value) == text, "\(value)") }
    }

    /// A small database: recompute and remap at two rates and two seeds. The readings of TBT disagree on purpose:
    /// TPOT falls at both rates, ITL rises at rate 0.1 and falls at 0.2, the worst gap falls a little at both.
    static func store() throws -> ResultStore {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "paper-c1-sharegpt", spec: "", version: "test")
        // (strategy, rate, seed, itl, tpot, max_itl, ttft, tput)
        let rows: [(String, String, Int, Double, Double, Double, Double, Double)] = [
            ("recompute", "0.1", 1, 40, 100, 100, 400, 400), ("recompute", "0.1", 2, 40, 120, 100, 500, 420),
            ("remap", "0.1", 1, 50, 50, 90, 300, 430), ("remap", "0.1", 2, 50, 60, 90, 400, 450),
            ("recompute", "0.2", 1, 80, 200, 100, 150_000, 500), ("recompute", "0.2", 2, 80, 200, 100, 154_000, 500),
            ("remap", "0.2", 1, 40, 60, 80, 60_000, 600), ("remap", "0.2", 2, 40, 80, 80, 70_000, 600),
        ]
        for (index, r) in rows.enumerated() {
            let run = RunRecord(id: nil, sweepId: sweep, pointIndex: index,
                                point: PointJSON.encode([("strategy", r.0), ("workload.arrivals.rate_scale", r.1), ("seed", String(r.2))]),
                                config: "{}", configHash: "h\(index)", seed: Int64(r.2), strategy: r.0, hardware: "gh200-96gb",
                                status: .finished, wallSeconds: 0.5, simulatedSeconds: 600, error: nil, finishedAt: "now")
            // tbt_p99_ms is stored as the alias of itl_p99_ms, as runs store it.
            let metrics = [("itl_p99_ms", r.3), ("tbt_p99_ms", r.3), ("tpot_p99_ms", r.4), ("max_itl_p99_ms", r.5),
                           ("ttft_p99_ms", r.6), ("output_tokens_per_s", r.7)]
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
          - {id: c1-ttft, experiment: C1 TTFT, sweep: c1-sharegpt.yaml, claim: "TTFT falls", baseline: {strategy: recompute},
             treatment: {strategy: remap}, expect: {ttft_p99_ms: {direction: lower}}}
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
        #expect(report.rows.map { $0[0] } == ["c1", "c1-low", "c1-ttft", "mps"])
        #expect(report.rows.allSatisfy { $0.count == PaperReport.header.count })
        func cell(_ row: Int, _ column: String) -> String {
            report.rows[row][PaperReport.header.firstIndex(of: column)!]
        }

        // The numbers, recomputed here from the database's own values: seeds averaged, then (remap - recompute) / recompute.
        let runs = try store.runs()
        func mean(_ strategy: String, _ rate: String, _ metric: String) -> Double {
            let values = runs.filter { $0.run.strategy == strategy && $0.point["workload.arrivals.rate_scale"] == rate }
                .map { $0.metrics["overall"]![metric]! }
            return values.reduce(0, +) / Double(values.count)
        }
        func change(_ rate: String, _ metric: String) -> Double {
            (mean("remap", rate, metric) - mean("recompute", rate, metric)) / mean("recompute", rate, metric) * 100
        }
        func column(_ metric: String) -> String {
            let low = change("0.1", metric), high = change("0.2", metric)
            return "\(PaperReport.percent((low + high) / 2)) (\(PaperReport.percent(min(low, high))) … \(PaperReport.percent(max(low, high))))"
        }
        #expect(cell(0, "points") == "2 × 2 seeds")
        #expect(cell(0, "P99 ITL change") == column("itl_p99_ms"))
        #expect(cell(0, "P99 TPOT change") == column("tpot_p99_ms"))
        #expect(cell(0, "P99 worst-gap change") == column("max_itl_p99_ms"))
        #expect(cell(0, "P99 TTFT change") == column("ttft_p99_ms"))
        #expect(cell(0, "throughput change") == column("output_tokens_per_s"))
        #expect(markdown.contains(PaperReport.percent(change("0.1", "itl_p99_ms"))))
        #expect(cell(1, "P99 ITL change") == PaperReport.percent(change("0.1", "itl_p99_ms")))
        #expect(cell(1, "P99 TPOT change") == PaperReport.percent(change("0.1", "tpot_p99_ms")))
        // P99 TTFT per point in seconds, 2 significant digits: 450 → 350 ms, then 152 000 → 65 000 ms.
        let s = { (strategy: String, rate: String) in PaperReport.significant(mean(strategy, rate, "ttft_p99_ms") / 1000) }
        #expect(cell(0, "P99 TTFT, baseline → compared (s)") == "\(s("recompute", "0.1")) → \(s("remap", "0.1")); \(s("recompute", "0.2")) → \(s("remap", "0.2"))")
        #expect(cell(0, "P99 TTFT, baseline → compared (s)") == "0.45 → 0.35; 150 → 65")
        #expect(cell(1, "P99 TTFT, baseline → compared (s)") == "0.45 → 0.35")

        // c1, worked by hand: ITL +25% then -50% (1 of 2 points the right way, median improvement 12.5: out of
        // range); TPOT -50%/-65% (57.5: in); worst gap -10%/-20% (15: out); TTFT -22.2%/-57.2% (39.7: in); tput
        // +7.3%/+20% (13.7: in). Every improvement grows from rate 0.1 to 0.2 (ITL from -25 to +50).
        #expect(cell(0, "same direction") == "partly (ITL 1/2, TPOT 2/2, worst gap 2/2, TTFT 2/2, tput 2/2); "
                + "grows with rate_scale: ITL yes, TPOT yes, worst gap yes, TTFT yes, tput yes")
        #expect(cell(0, "TBT definitions in the paper's direction") == "TPOT, worst gap")
        #expect(cell(0, "within paper's range") == "no (ITL no, TPOT yes, worst gap no, TTFT yes, tput yes)")
        #expect(cell(0, "paper's range") == "TBT -82.5…-44.8%, TTFT -99.3…-20.7%, tput +6.6…+86.7%")
        #expect(cell(0, "reason if not") == "not investigated")
        // c1-low expects TBT to rise at rate 0.1: only ITL does (+25%); TPOT and the worst gap fall.
        #expect(cell(1, "same direction") == "partly (ITL 1/1, TPOT 0/1, worst gap 0/1)")
        #expect(cell(1, "TBT definitions in the paper's direction") == "ITL")
        #expect(cell(1, "within paper's range") == "no range given" && cell(1, "reason if not") == "a known reason")
        // c1-ttft expects nothing of TBT.
        #expect(cell(2, "same direction") == "yes" && cell(2, "TBT definitions in the paper's direction") == "no TBT claim")
        #expect(cell(2, "reason if not") == "")
        #expect(cell(3, "P99 ITL change") == "pending" && cell(3, "P99 TTFT, baseline → compared (s)") == "pending")
        #expect(cell(3, "reason if not") == "needs MPS")

        // Per reading of TBT: c1 agrees fully as TPOT, in direction only as the worst gap, not as ITL; c1-low agrees
        // fully as ITL only; c1-ttft counts alike in every line.
        let c1 = report.evaluations[0]
        #expect(c1.agreesFully(readingTBTAs: "tpot_p99_ms") && !c1.agreesFully(readingTBTAs: nil))
        #expect(c1.direction(readingTBTAs: "max_itl_p99_ms") == .agrees && !c1.agreesFully(readingTBTAs: "max_itl_p99_ms"))
        #expect(c1.direction(readingTBTAs: "itl_p99_ms") == .partly && c1.direction == .partly)
        #expect(c1.verdicts(readingTBTAs: "itl_p99_ms").map(\.metric) == ["itl_p99_ms", "ttft_p99_ms", "output_tokens_per_s"])
        #expect(report.summary == [
            "- Reading TBT as ITL — agrees fully: `c1-low`, `c1-ttft`; same direction, not the paper's size or trend: none; not the same direction: `c1`.",
            "- Reading TBT as TPOT — agrees fully: `c1`, `c1-ttft`; same direction, not the paper's size or trend: none; not the same direction: `c1-low`.",
            "- Reading TBT as the worst gap — agrees fully: `c1-ttft`; same direction, not the paper's size or trend: `c1`; not the same direction: `c1-low`.",
        ])
        for line in report.summary { #expect(markdown.contains(line + "\n")) }
        #expect(markdown.contains("Pending: `mps`."))
        #expect(!markdown.contains("-0.0%"))
    }

    /// Spatial against temporal sharing, by hand: output tokens/s 1,000 → 1,210 under temporal sharing (+21.0%),
    /// 1,000 → 1,329 under MIG (+32.9%) and 1,000 → 1,077 under MPS (+7.7%), each at one point of two seeds. Both
    /// spatial gains are positive, which judged alone agrees; judged against the temporal gain, as the claim
    /// "spatial sharing gains less throughput than temporal sharing" asks, MIG's disagrees and MPS's agrees.
    @Test func aGainAgainstAnotherExperimentIsJudgedOnThatComparison() throws {
        let store = try ResultStore.inMemory()
        let sharegpt = "Workloads/lengths/sharegpt-first-turn.csv"
        // (sweep, strategy, seed, output tokens/s); the temporal sweep also has a lengths axis.
        let rows: [(String, String, Int, Double)] = [
            ("paper-c1-capacity", "recompute", 1, 990), ("paper-c1-capacity", "recompute", 2, 1010),
            ("paper-c1-capacity", "remap", 1, 1200), ("paper-c1-capacity", "remap", 2, 1220),
            ("paper-c1-mig", "recompute", 1, 1000), ("paper-c1-mig", "recompute", 2, 1000),
            ("paper-c1-mig", "remap", 1, 1329), ("paper-c1-mig", "remap", 2, 1329),
            ("paper-c1-mps", "recompute", 1, 1000), ("paper-c1-mps", "recompute", 2, 1000),
            ("paper-c1-mps", "remap", 1, 1070), ("paper-c1-mps", "remap", 2, 1084),
        ]
        for (index, r) in rows.enumerated() {
            let sweep = try store.sweepId(name: r.0, spec: "", version: "test")
            var point = [("strategy", r.1)]
            if r.0 == "paper-c1-capacity" { point.append(("workload.lengths.path", sharegpt)) }
            let run = RunRecord(id: nil, sweepId: sweep, pointIndex: index, point: PointJSON.encode(point + [("seed", String(r.2))]),
                                config: "{}", configHash: "g\(index)", seed: Int64(r.2), strategy: r.1, hardware: "gh200-96gb",
                                status: .finished, wallSeconds: 0.5, simulatedSeconds: 600, error: nil, finishedAt: "now")
            try store.record(RunOutcome(run: run, metrics: [MetricRecord(runId: 0, scope: "overall", metric: "output_tokens_per_s", value: r.3)]))
        }
        let text = """
            claims:
              - {id: temporal, experiment: C1 temporal, sweep: c1-capacity.yaml, claim: "remap gains", baseline: {strategy: recompute},
                 treatment: {strategy: remap}, where: {workload.lengths.path: \(sharegpt)},
                 expect: {output_tokens_per_s: {direction: higher, paper: [6.6, 86.7]}}}
              - {id: mig, experiment: C1 MIG, sweep: c1-mig.yaml, claim: "spatial gains less", baseline: {strategy: recompute},
                 treatment: {strategy: remap}, expect: {output_tokens_per_s: {direction: higher}}, gain: {smaller_than: temporal}}
              - {id: mps, experiment: C1 MPS, sweep: c1-mps.yaml, claim: "spatial gains less", baseline: {strategy: recompute},
                 treatment: {strategy: remap}, expect: {output_tokens_per_s: {direction: higher}}, gain: {smaller_than: temporal}}
            """
        let catalog = try ClaimsCatalog.parse(text, file: Self.catalogPath)
        let report = try PaperReport(catalog: catalog, store: store)
        let (temporal, mig, mps) = (report.evaluations[0], report.evaluations[1], report.evaluations[2])
        func cell(_ row: Int, _ column: String) -> String { report.rows[row][PaperReport.header.firstIndex(of: column)!] }

        #expect(temporal.direction == .agrees && temporal.gainComparisons.isEmpty && cell(0, "throughput change") == "+21.0%")
        #expect(cell(1, "throughput change") == "+32.9%" && cell(2, "throughput change") == "+7.7%")
        #expect(mig.direction == .disagrees && !mig.agreesFully)
        let compared = try #require(mig.gainComparisons.first)
        #expect(mig.gainComparisons.count == 1 && compared.metric == "output_tokens_per_s" && compared.otherClaim == "temporal")
        #expect(abs((compared.gain ?? 0) - 32.9) < 1e-9 && abs((compared.otherGain ?? 0) - 21.0) < 1e-9)
        #expect(cell(1, "same direction") == "no (tput +32.9% against +21.0% in temporal)")
        #expect(mps.direction == .agrees && mps.agreesFully)
        #expect(cell(2, "same direction") == "yes (tput +7.7% against +21.0% in temporal)")
        #expect(cell(1, "paper's range") == "tput gain smaller than in temporal" && cell(1, "within paper's range") == "no range given")
        // Judged alone, on the direction of its own change, MIG's +32.9% would agree.
        let alone = ClaimEvaluation(claim: catalog.claims[1], runs: try store.runs().filter { $0.sweep == "paper-c1-mig" })
        #expect(alone.direction == .agrees)
        // Without the other claim's runs there is nothing to compare with.
        let runs = try store.runs()
        let withoutTemporal = ClaimEvaluation.evaluate(catalog.claims) { claim in
            claim.id == "temporal" ? [] : runs.filter { $0.sweep == "paper-c1-\(claim.id)" }
        }
        #expect(withoutTemporal[1].direction == .noData && withoutTemporal[2].direction == .noData)
    }

    /// A claim in a catalog section is shown under the section's heading, after the main table, and counted in the
    /// section's own lines, not in the main table's.
    @Test func sectionRowsAreShownApartAndCountedApart() throws {
        let text = Self.catalogText.replacingOccurrences(of: "claims:\n", with: """
            sections:
              - {id: rule, title: Sensitivity to a rule, text: "The headline under another rule."}
            claims:

            """) + """

              - {id: c1-rule, experiment: C1 other rule, sweep: c1-sharegpt.yaml, claim: "remap beats vLLM", section: rule,
                 baseline: {strategy: recompute}, treatment: {strategy: remap}, expect: {ttft_p99_ms: {direction: lower}}}
            """
        let catalog = try ClaimsCatalog.parse(text, file: Self.catalogPath)
        #expect(catalog.sections == [.init(id: "rule", title: "Sensitivity to a rule", text: "The headline under another rule.")])
        #expect(catalog.claims.map(\.section) == [nil, nil, nil, nil, "rule"])
        let report = try PaperReport(catalog: catalog, store: try Self.store())
        #expect(report.rows(section: nil).map { $0[0] } == ["c1", "c1-low", "c1-ttft", "mps"])
        #expect(report.rows(section: "rule").map { $0[0] } == ["c1-rule"])
        #expect(!report.summary.joined().contains("c1-rule"))
        #expect(report.summary(section: "rule").allSatisfy { $0.contains("agrees fully: `c1-rule`") })
        let markdown = report.markdown()
        let heading = try #require(markdown.range(of: "\n## Sensitivity to a rule\n\nThe headline under another rule.\n\n| "
                                                   + PaperReport.sectionHeader.joined(separator: " | ") + " |\n"))
        let row = try #require(markdown.range(of: "\n| c1-rule |"))
        let mainRow = try #require(markdown.range(of: "\n| c1-ttft |"))
        #expect(mainRow.lowerBound < heading.lowerBound && heading.lowerBound < row.lowerBound)
        // The section's table shows its columns of the claim's row.
        let full = report.rows(section: "rule")[0]
        let shown = PaperReport.sectionHeader.map { full[PaperReport.header.firstIndex(of: $0)!] }
        #expect(markdown.contains("\n| " + shown.map(PaperReport.escape).joined(separator: " | ") + " |\n"))
        for line in report.summary + report.summary(section: "rule") { #expect(markdown.contains(line + "\n")) }
        // A claim naming no known section, and two sections with one id, are refused.
        for bad in [text.replacingOccurrences(of: "section: rule", with: "section: nowhere"),
                    text.replacingOccurrences(of: "sections:\n", with: "sections:\n  - {id: rule, title: t, text: t}\n")] {
            #expect(throws: (any Error).self) { try ClaimsCatalog.parse(bad, file: "claims.yaml") }
        }
    }
}
