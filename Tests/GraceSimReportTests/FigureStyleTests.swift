import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSimReport
@testable import GraceSimStore

/// What makes figures comparable from report to report: each strategy's own style, units scaled to the data,
/// spread across seeds, titled legends.
@Suite struct FigureStyleTests {
    // MARK: palette

    @Test func shippedStrategiesHaveDistinctFixedStyles() {
        let styles = Palette.strategies.map(\.style)
        #expect(Set(styles.map(\.color)).count == 5 && Set(styles.map(\.marker)).count == 5 && Set(styles.map(\.dash)).count == 5)
        #expect(Palette.strategy("recompute") == SeriesStyle(color: "#000000", marker: .circle, dash: ""))
        #expect(Palette.strategy("remap") == SeriesStyle(color: "#D55E00", marker: .diamond, dash: "9 3 2 3"))
        // Every colour is one of Okabe and Ito's.
        #expect((styles + Palette.fallbackStyles).allSatisfy { Palette.colors.contains($0.color) })
    }

    @Test func aStrategysStyleDoesNotDependOnTheOrderOrCompany() {
        let one = Palette.strategies(["remap", "recompute"])
        let other = Palette.strategies(["swap", "recompute", "pie", "offload", "remap"])
        #expect(one["remap"] == other["remap"] && one["recompute"] == other["recompute"])
        #expect(Palette.strategies(["b-variant", "a-variant", "remap"]) == Palette.strategies(["remap", "a-variant", "b-variant"]))
    }

    @Test func otherStrategiesGetStableFallbacksThatDoNotCollideInOneReport() {
        #expect(Palette.strategy("remap-lru") == Palette.strategy("remap-lru"))
        #expect(!Palette.strategies.contains { $0.style == Palette.strategy("remap-lru") })
        let names = (1...6).map { "variant-\($0)" }
        let styles = Palette.strategies(names)
        let distinct = Set(names.map { "\(styles[$0]!.color) \(styles[$0]!.marker)" })
        #expect(distinct.count == 6, "six unknown strategies take the six fallback styles")
    }

    /// A finished run whose P99 ITL and P99 TTFT are both `tbt`; `oldNames` stores the ITL as `tbt_p99_ms`, as
    /// databases did before latencies took vLLM's names.
    static func run(_ id: Int64, strategy: String, seed: Int64 = 1, point: [String: String] = [:],
                    tbt: Double, throughput: Double = 1000, oldNames: Bool = false) -> StoredRun {
        var axes = point
        axes["strategy"] = strategy
        axes["seed"] = String(seed)
        let record = RunRecord(id: id, sweepId: 1, pointIndex: Int(id), point: PointJSON.encode(axes.map { ($0.key, $0.value) }),
                               config: "{}", configHash: "h\(id)", seed: seed, strategy: strategy, hardware: "gh200-96gb",
                               status: .finished, wallSeconds: 0, simulatedSeconds: 1, error: nil, finishedAt: "")
        return StoredRun(run: record, sweep: "s", metrics: ["overall": [oldNames ? "tbt_p99_ms" : "itl_p99_ms": tbt, "ttft_p99_ms": tbt,
                                                                        "output_tokens_per_s": throughput]])
    }

    static func figures(_ runs: [StoredRun]) -> SweepFigures {
        SweepFigures(sweep: "s", shape: SweepShape(runs: runs), styles: Palette.strategies(runs.map(\.run.strategy)))
    }

    /// The fill of the bar whose tooltip starts with `name, `.
    static func barColor(_ svg: String, _ name: String) -> String? {
        guard let range = svg.range(of: "\"><title>\(name), ") else { return nil }
        let before = svg[..<range.lowerBound]
        return before.range(of: "fill=\"", options: .backwards).map { String(before[$0.upperBound...]) }
    }

    /// Two reports listing their strategies in different orders draw each strategy in the same colour.
    @Test func aStrategyKeepsItsColourAcrossReportsWithDifferentOrders() throws {
        let first = Self.figures([Self.run(1, strategy: "recompute", tbt: 100), Self.run(2, strategy: "remap", tbt: 80)])
        let second = Self.figures([Self.run(1, strategy: "remap", tbt: 80), Self.run(2, strategy: "swap", tbt: 90),
                                   Self.run(3, strategy: "recompute", tbt: 100)])
        let a = try #require(first.ablationBars().first?.svg), b = try #require(second.ablationBars().first?.svg)
        #expect(Self.barColor(a, "remap") == "#D55E00" && Self.barColor(b, "remap") == "#D55E00")
        #expect(Self.barColor(a, "recompute") == "#000000" && Self.barColor(b, "recompute") == "#000000")
        #expect(Self.barColor(b, "swap") == Palette.strategy("swap").color)
        #expect(a.contains(">strategy</text>") && b.contains(">strategy</text>"), "the legend is titled")
    }

    // MARK: units

    @Test func unitsScaleWithTheDataRange() {
        #expect(UnitScale.choose("ms", largest: 999) == UnitScale(unit: "ms", factor: 1))
        #expect(UnitScale.choose("ms", largest: 1000) == UnitScale(unit: "s", factor: 1e-3))
        #expect(UnitScale.choose("ms", largest: 3_000_000) == UnitScale(unit: "s", factor: 1e-3))
        #expect(UnitScale.choose("tokens/s", largest: 950) == UnitScale(unit: "tokens/s", factor: 1))
        #expect(UnitScale.choose("tokens/s", largest: 12_000) == UnitScale(unit: "k tokens/s", factor: 1e-3))
        #expect(UnitScale.choose("requests/s", largest: -2.5e6) == UnitScale(unit: "M requests/s", factor: 1e-6))
        #expect(UnitScale.choose("B/s", largest: 3.1e11) == UnitScale(unit: "GB/s", factor: 1e-9))
        #expect(UnitScale.choose("B/s", largest: 4e5) == UnitScale(unit: "kB/s", factor: 1e-3))
        #expect(UnitScale.choose("s", largest: 86_400) == UnitScale(unit: "s", factor: 1))
        #expect(UnitScale.choose("", largest: 1e9).label("remapped layers") == "remapped layers")
        #expect(UnitScale.choose("tokens", largest: 150_000).label("KV capacity") == "KV capacity (k tokens)")
    }

    /// Bars of millions of ms are drawn in seconds, throughput in thousands of tokens/s, each named on its axis.
    @Test func barsShowTheirValuesInAScaledUnit() throws {
        let figures = Self.figures([Self.run(1, strategy: "recompute", tbt: 2_400_000, throughput: 12_000),
                                    Self.run(2, strategy: "remap", tbt: 1_200_000, throughput: 15_000)])
        let bars = figures.ablationBars()
        let tbt = try #require(bars.first { $0.fileName == "bars-itl-p99-ms.svg" }?.svg)
        #expect(tbt.contains(">P99 ITL (s)</text>") && !tbt.contains("(ms)"))
        #expect(tbt.contains(">2400</text>") && tbt.contains(">1200</text>"))
        let throughput = try #require(bars.first { $0.fileName == "bars-output-tokens-per-s.svg" }?.svg)
        #expect(throughput.contains(">output throughput (k tokens/s)</text>") && throughput.contains(">15.0</text>"))
    }

    /// Line charts and step charts scale too: a time axis stays in seconds, link traffic turns into GB/s.
    /// A database from before latencies took vLLM's names has `tbt_p99_ms` only: its figures draw that, under its name.
    @Test func aDatabaseWithTheEarlierNameDrawsTBT() throws {
        let bars = Self.figures([Self.run(1, strategy: "recompute", tbt: 2_400, oldNames: true)]).ablationBars()
        #expect(bars.map(\.fileName).sorted() == ["bars-output-tokens-per-s.svg", "bars-tbt-p99-ms.svg", "bars-ttft-p99-ms.svg"])
        let tbt = try #require(bars.first { $0.fileName == "bars-tbt-p99-ms.svg" }?.svg)
        #expect(tbt.contains(">P99 TBT (s)</text>"))
    }

    @Test func lineChartsShowTheirValuesInAScaledUnit() {
        let chart = LineChart(title: "link", xLabel: "time", yLabel: "link traffic", xUnit: "s", yUnit: "B/s", style: .steps,
                              legendTitle: "direction",
                              series: [.init(name: "host to device", points: [.init(x: 0, y: 0), .init(x: 61.3, y: 2.5e11)], styleIndex: 0)])
        let svg = SVGRenderer.render(chart)
        #expect(svg.contains(">link traffic (GB/s)</text>") && svg.contains(">time (s)</text>"))
        #expect(svg.contains(">200</text>") && svg.contains(">direction</text>"))
        #expect(!svg.contains(">80</text>"), "the time axis ends at 65 s, not at the next whole step")
    }

    // MARK: spread across seeds

    @Test func barsAndLinesShowTheSpreadAcrossSeeds() throws {
        let runs = [Self.run(1, strategy: "remap", seed: 1, point: ["workload.arrivals.rate": "4"], tbt: 100),
                    Self.run(2, strategy: "remap", seed: 2, point: ["workload.arrivals.rate": "4"], tbt: 140),
                    Self.run(3, strategy: "remap", seed: 1, point: ["workload.arrivals.rate": "8"], tbt: 200),
                    Self.run(4, strategy: "remap", seed: 2, point: ["workload.arrivals.rate": "8"], tbt: 200)]
        let lines = Self.figures(runs).metricLines()
        let tbt = try #require(lines.first { $0.fileName == "itl-p99-ms-vs-rate.svg" }?.svg)
        #expect(tbt.contains("mean of 2 seeds, bars min–max"))
        // One error bar (rate 4: 100 to 140); rate 8 has no spread to draw.
        #expect(tbt.components(separatedBy: "stroke-width=\"1.5\" fill=\"none\"/>").count - 1 == 1)

        let bars = Self.figures([Self.run(1, strategy: "recompute", seed: 1, tbt: 100), Self.run(2, strategy: "recompute", seed: 2, tbt: 140)])
            .ablationBars()
        let bar = try #require(bars.first?.svg)
        #expect(bar.contains("<title>recompute, s: 120, 100–140 over seeds</title>"))
    }

    /// Series over time are drawn at one grid point for all its seeds, not for one run picked among them.
    @Test func seriesOverTimeAverageEverySeedOfTheChosenPoint() throws {
        var runs: [StoredRun] = []
        for rate: Int64 in [4, 8] {
            for (offset, strategy) in [(Int64(0), "recompute"), (2, "remap")] {
                for seed: Int64 in [1, 2] {
                    runs.append(Self.run(rate * 10 + offset + seed, strategy: strategy, seed: seed,
                                         point: ["workload.arrivals.rate": String(rate)], tbt: 100))
                }
            }
        }
        let chosen = SweepFigures.seriesRuns(runs, withSeries: Set(runs.compactMap { $0.run.id }))
        #expect(chosen.map { $0.run.id } == [83, 84], "the remap runs at the last rate, both seeds")

        let rows: [Int64: [SeriesRecord]] = [
            83: [0, 1].map { SeriesRecord(runId: 83, scope: "opt-13b", series: "remapped_layers", timeSeconds: Double($0), value: 2) },
            84: [0, 1].map { SeriesRecord(runId: 84, scope: "opt-13b", series: "remapped_layers", timeSeconds: Double($0), value: 6) },
        ]
        let figures = Self.figures(runs).timeSeries(chosen, rows)
        let layers = try #require(figures.first { $0.fileName == "series-remapped-layers.svg" }?.svg)
        #expect(layers.contains("strategy = remap, rate = 8; mean of 2 seeds, band min–max"))
        #expect(layers.contains("fill-opacity=\"0.18\"") && layers.contains(">instance</text>") && layers.contains(">4</text>"))
    }

    @Test func stepChartsDrawTheSpreadAsABand() {
        let chart = LineChart(title: "ccdf", xLabel: "TTFT", yLabel: "fraction above", xUnit: "ms", yScale: .log, style: .steps,
                              yIncludesZero: false, legendTitle: "strategy", series: [
                                  .init(name: "remap", points: SweepFigures.meanSteps([SweepFigures.ccdfPoints([10, 20, 30, 40]),
                                                                                        SweepFigures.ccdfPoints([15, 25, 35, 45])], before: 1),
                                        style: Palette.strategy("remap")),
                              ])
        let svg = SVGRenderer.render(chart)
        #expect(SVGTests.wellFormed(svg))
        #expect(svg.contains("fill=\"#D55E00\" fill-opacity=\"0.18\""), "a band in the strategy's colour")
        #expect(svg.contains(">fraction above, log scale</text>") && svg.contains(">0.1</text>") && svg.contains(">1</text>"))
    }
}
