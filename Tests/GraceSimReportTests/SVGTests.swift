import GraceSimTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import GraceSimReport

/// Escaping, number formatting, determinism and well-formedness of the SVG output.
@Suite struct SVGTests {
    @Test func textIsEscapedForXML() {
        #expect(SVGText.escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
        #expect(SVGText.escape("bell\u{07}less") == "bellless")
        #expect(SVGText.escape("α ≤ 2 µs") == "α ≤ 2 µs")
    }

    @Test func numbersAreFixedAndNeverNegativeZero() {
        #expect(SVGText.coordinate(1.005) == "1.00" || SVGText.coordinate(1.005) == "1.01")
        #expect(SVGText.coordinate(-0.001) == "0.00")
        #expect(SVGText.coordinate(.nan) == "0.00")
        #expect(SVGText.tick(2500, step: 500) == "2500")
        #expect(SVGText.tick(25_000, step: 5000) == "25k")
        #expect(SVGText.tick(12_500, step: 2500) == "12.5k")
        #expect(SVGText.tick(0.25, step: 0.05) == "0.25")
        #expect(SVGText.tick(7.5, step: 2.5) == "7.5")
        #expect(SVGText.tick(0.3, step: 0.1) == "0.3")
        #expect(SVGText.short(1234.5) == "1234" || SVGText.short(1234.5) == "1235")
        #expect(SVGText.short(147.6) == "148")
        #expect(SVGText.short(0.0123) == "0.0123")
    }

    static func sampleLines(title: String = "P99 <TBT> & \"friends\"") -> LineChart {
        LineChart(title: title, subtitle: "hardware = gh200-96gb", xLabel: "arrival-rate scale", yLabel: "P99 TBT (ms)",
                  yScale: .log, style: .markers, series: [
                      .init(name: "recompute", points: [.init(x: 0.1, y: 40), .init(x: 0.2, y: 90), .init(x: 0.4, y: 2400)], styleIndex: 0),
                      .init(name: "remap", points: [.init(x: 0.1, y: 38), .init(x: 0.2, y: 60), .init(x: 0.4, y: 700)], styleIndex: 4),
                  ])
    }

    static func sampleBars() -> BarChart {
        BarChart(title: "P99 TBT by victim", xLabel: "victim", yLabel: "P99 TBT (ms)", groups: ["mru", "lru"],
                 series: [.init(name: "remap", values: [120, nil], styleIndex: 0), .init(name: "remap (static)", values: [130, 90], styleIndex: 1)])
    }

    static func wellFormed(_ svg: String) -> Bool {
        let parser = XMLParser(data: Data(svg.utf8))
        return parser.parse()
    }

    @Test func renderingIsDeterministic() {
        #expect(SVGRenderer.render(Self.sampleLines()) == SVGRenderer.render(Self.sampleLines()))
        #expect(SVGRenderer.render(Self.sampleBars()) == SVGRenderer.render(Self.sampleBars()))
    }

    @Test func chartsAreWellFormedXMLWithTheirTitleEscaped() {
        let lines = SVGRenderer.render(Self.sampleLines())
        #expect(Self.wellFormed(lines))
        #expect(lines.contains("P99 &lt;TBT&gt; &amp; &quot;friends&quot;"))
        #expect(!lines.contains("<TBT>"))
        #expect(Self.wellFormed(SVGRenderer.render(Self.sampleBars())))
        let steps = LineChart(title: "CDF", xLabel: "TTFT (ms)", yLabel: "fraction of requests", xScale: .log, style: .steps,
                              series: [.init(name: "a & b", points: [.init(x: 1, y: 0), .init(x: 10, y: 0.5), .init(x: 100, y: 1)], styleIndex: 1)])
        #expect(Self.wellFormed(SVGRenderer.render(steps)))
        let empty = LineChart(title: "nothing", xLabel: "x", yLabel: "y", series: [])
        let emptySVG = SVGRenderer.render(empty)
        #expect(Self.wellFormed(emptySVG) && emptySVG.contains("no data"))
    }

    @Test func chartsCarryTheirLabelsLegendAndOneMarkerPerPoint() {
        let svg = SVGRenderer.render(Self.sampleLines())
        for text in ["arrival-rate scale", "P99 TBT (ms), log scale", ">recompute<", ">remap<", ">100<", ">1000<"] {
            #expect(svg.contains(text), "missing \(text)")
        }
        // recompute: circles (3 points + 1 in the legend); remap: style 4 is a downward triangle (3 + 1).
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4)
        #expect(svg.contains(Palette.color(0)) && svg.contains(Palette.color(4)))
    }

    @Test func pointsMapIntoThePlotArea() throws {
        // A linear chart from (0, 0) to (10, 100): the first point sits at the bottom-left corner of the plot area.
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", style: .steps,
                              series: [.init(name: "s", points: [.init(x: 0, y: 0), .init(x: 10, y: 100)], styleIndex: 0)])
        let svg = SVGRenderer.render(chart)
        let canvas = SVGCanvas(subtitle: false)
        let start = "M\(SVGText.coordinate(canvas.plotLeft)) \(SVGText.coordinate(canvas.plotBottom))"
        let step = "H\(SVGText.coordinate(canvas.plotRight))V\(SVGText.coordinate(canvas.plotTop))"
        #expect(svg.contains("d=\"\(start)\(step)\""))
    }

    @Test func aStepLineHoldsItsLastValueToTheEndOfTheData() {
        let chart = LineChart(title: "t", xLabel: "time (s)", yLabel: "layers", style: .steps, series: [
            .init(name: "short", points: [.init(x: 0, y: 0)], styleIndex: 0),
            .init(name: "long", points: [.init(x: 0, y: 0), .init(x: 10, y: 0)], styleIndex: 1),
        ])
        let svg = SVGRenderer.render(chart)
        let canvas = SVGCanvas(subtitle: false)
        #expect(svg.contains("d=\"M\(SVGText.coordinate(canvas.plotLeft)) \(SVGText.coordinate(canvas.plotBottom))H\(SVGText.coordinate(canvas.plotRight))\""))
        #expect(!svg.contains(">-1<"), "an all-zero series gets a 0...1 axis")
    }

    @Test func longSeriesAreThinnedButKeepTheirPeaks() {
        var points = (0..<10_000).map { LineChart.Point(x: Double($0), y: 1) }
        points[5_003].y = 50
        let thinned = LineChart.Series(name: "s", points: points, styleIndex: 0).decimated(maxPoints: 500)
        #expect(thinned.points.count <= 520)
        #expect(thinned.points.contains { $0.y == 50 })
        #expect(thinned.points.first == points.first && thinned.points.last == points.last)
        #expect(zip(thinned.points, thinned.points.dropFirst()).allSatisfy { $0.x < $1.x })
    }

    @Test func ccdfPointsStepFromOneToZero() {
        let points = SweepFigures.ccdfPoints([1, 2, 2, 4])
        #expect(points == [.init(x: 1, y: 1), .init(x: 1, y: 0.75), .init(x: 2, y: 0.25), .init(x: 4, y: 0)])
    }

    /// Thinning a large sample keeps every one of its last 400 values: the tail a log axis shows.
    @Test func ccdfPointsKeepTheTailOfLargeSamples() {
        let values = (1...100_000).map(Double.init)
        let points = SweepFigures.ccdfPoints(values)
        #expect(points.count < 1200)
        #expect(points.last == .init(x: 100_000, y: 0))
        #expect(points.contains(.init(x: 99_999, y: 0.00001)) && points.contains(.init(x: 99_700, y: 0.003)))
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.x <= $1.x && $0.y >= $1.y })
    }
    @Test func barNotesShowAboveTheValueAndInTheTooltip() {
        let chart = BarChart(title: "P99 TBT by victim", xLabel: "arrival-rate scale", yLabel: "P99 TBT (ms)",
                             groups: ["rate_scale = 0.2", "rate_scale = 0.4"],
                             series: [.init(name: "lru", values: [100, 200], styleIndex: 0),
                                      .init(name: "mru", values: [80, 250], styleIndex: 1, notes: ["-20%", "+25%"])])
        let svg = SVGRenderer.render(chart)
        #expect(Self.wellFormed(svg))
        #expect(svg.contains(">-20%</text>") && svg.contains(">+25%</text>"))
        #expect(svg.contains("<title>mru, rate_scale = 0.4: 250 (+25%)</title>"))
        #expect(svg.contains("<title>lru, rate_scale = 0.2: 100</title>"))
    }

    /// Two runs' step CCDFs averaged: at each value either reaches, the mean of the fractions above it, with the
    /// lowest and highest of the two as the spread; a curve is 1 before its first point.
    @Test func ccdfsOfSeveralRunsAreAveragedWithTheirSpread() {
        let first: [LineChart.Point] = [.init(x: 10, y: 1), .init(x: 20, y: 0.5), .init(x: 30, y: 0)]
        let second: [LineChart.Point] = [.init(x: 20, y: 1), .init(x: 40, y: 0)]
        let mean = SweepFigures.meanSteps([first, second, []], before: 1)
        #expect(mean == [.init(x: 10, y: 1, low: 1, high: 1), .init(x: 20, y: 0.75, low: 0.5, high: 1),
                         .init(x: 30, y: 0.5, low: 0, high: 1), .init(x: 40, y: 0, low: 0, high: 0)])
        #expect(SweepFigures.meanSteps([], before: 1).isEmpty)
    }

    /// Series over time of seeds that end at different times: a run counts only while it has samples.
    @Test func seriesOverTimeAverageTheSeedsStillRunning() {
        let short: [LineChart.Point] = [.init(x: 0, y: 2), .init(x: 1, y: 4)]
        let long: [LineChart.Point] = [.init(x: 0, y: 6), .init(x: 1, y: 8), .init(x: 2, y: 10)]
        let mean = SweepFigures.meanSteps([short, long], before: nil)
        #expect(mean == [.init(x: 0, y: 4, low: 2, high: 6), .init(x: 1, y: 6, low: 4, high: 8), .init(x: 2, y: 10, low: 10, high: 10)])
    }

    @Test func slugsAreSafeFileNames() {
        #expect(Labels.slug("rate_scale = 0.5, hardware = gh200-96gb") == "rate-scale-0_5-hardware-gh200-96gb")
        #expect(Labels.slug("../../etc") == "__-__-etc")
        #expect(Labels.axis("workload.arrivals.rate_scale") == "arrival-rate scale")
        #expect(Labels.option("{\"static\":4}") == "static 4" && Labels.option("mru") == "mru")
        #expect(Labels.axis("workload.lengths.fixed_prompt_tokens") == "fixed prompt (tokens)")
    }
}
