import Foundation
import GraceSimStore

/// One figure of the report: its SVG, the file it goes to (relative to the sweep's folder) and a caption.
public struct Figure: Sendable {
    public var fileName: String
    public var caption: String
    public var svg: String
}

/// The figures of one sweep, chosen by its shape:
///
/// - for each numeric axis, P99 TBT, P99 TTFT and output throughput against it, one line per strategy, seeds
///   averaged; one figure per combination of the axes varying independently of it (zipped axes move with it);
/// - without a numeric axis (an ablation: only categorical options and strategies vary), grouped bars of the
///   same metrics, one group per combination of the options;
/// - with per-request rows, CDFs of TTFT and of each request's largest gap between tokens, one line per
///   strategy, seeds pooled, for up to ``maxCDFGroups`` points of the other axes;
/// - with series, each stored series of one run over time (see ``SweepFigures/seriesRun(_:withSeries:)``).
struct SweepFigures {
    /// CDF figures are drawn for at most this many points of the axes other than strategy and seed (evenly
    /// spread over the grid, the first and last included).
    static let maxCDFGroups = 4
    /// A latency axis turns logarithmic when its largest value is this many times its smallest.
    static let logRatio = 30.0

    let sweep: String
    let shape: SweepShape
    /// Colour index of each strategy, shared by every figure of the report.
    let styles: [String: Int]

    func style(_ strategy: String) -> Int { styles[strategy] ?? 0 }

    /// Metric-against-axis line charts, one set per numeric axis and group of independent axes.
    func metricLines() -> [Figure] {
        var figures: [Figure] = []
        for axis in shape.numeric {
            let held = shape.independent(of: axis)
            for (key, runs) in shape.grouped(by: held) {
                let condition = SweepShape.describe(held, key)
                let suffix = condition.map { "-" + Labels.slug($0) } ?? ""
                for headline in Labels.headlineMetrics {
                    var series: [LineChart.Series] = shape.strategies.map { strategy in
                        let points = shape.values[axis]!.compactMap { value -> LineChart.Point? in
                            let members = runs.filter { $0.run.strategy == strategy && $0.point[axis] == value }
                            return SweepShape.mean(headline.metric, of: members).map { LineChart.Point(x: Double(value)!, y: $0) }
                        }
                        return LineChart.Series(name: strategy, points: points, styleIndex: style(strategy))
                    }.filter { !$0.points.isEmpty }
                    var ys = series.flatMap { $0.points.map(\.y) }
                    var yLabel = headline.label
                    if headline.latency, (ys.max() ?? 0) >= Self.secondsFromMs {
                        series = series.map { Self.scaled($0, y: 1e-3) }
                        ys = ys.map { $0 * 1e-3 }
                        yLabel = yLabel.replacingOccurrences(of: "(ms)", with: "(s)")
                    }
                    let log = headline.latency && Self.wantsLog(ys)
                    let chart = LineChart(title: "\(headline.title) vs \(Labels.axis(axis))", subtitle: condition,
                                          xLabel: Labels.axis(axis), yLabel: yLabel + (log ? ", log scale" : ""),
                                          yScale: log ? .log : .linear, style: .markers, yIncludesZero: true, series: series)
                    let name = "\(Labels.slug(headline.metric))-vs-\(Labels.slug(Labels.shortAxis(axis)))\(suffix).svg"
                    figures.append(Figure(fileName: name, caption: chart.title + (condition.map { " (\($0))" } ?? "") + "; mean over seeds", svg: SVGRenderer.render(chart)))
                }
            }
        }
        return figures
    }

    /// Grouped bars for a sweep without numeric axes: a group per combination of its options.
    func ablationBars() -> [Figure] {
        guard shape.numeric.isEmpty else { return [] }
        let axes = shape.varying
        let groups = shape.grouped(by: axes)
        let groupNames = groups.map { group in axes.count == 1 ? group.key[0] : (SweepShape.describe(axes, group.key) ?? "all runs") }
        let xLabel = axes.isEmpty ? "strategy" : axes.map(Labels.shortAxis).joined(separator: ", ")
        return Labels.headlineMetrics.map { headline in
            let series = shape.strategies.map { strategy in
                BarChart.Series(name: strategy, values: groups.map { group in
                    SweepShape.mean(headline.metric, of: group.runs.filter { $0.run.strategy == strategy })
                }, styleIndex: style(strategy))
            }
            let chart = BarChart(title: headline.title + (axes.isEmpty ? " by strategy" : " by " + xLabel),
                                 subtitle: "\(sweep); mean over seeds", xLabel: xLabel, yLabel: headline.label,
                                 groups: axes.isEmpty ? [sweep] : groupNames, series: series)
            return Figure(fileName: "bars-\(Labels.slug(headline.metric)).svg", caption: chart.title, svg: SVGRenderer.render(chart))
        }
    }

    /// CDFs of TTFT and of each request's largest gap between tokens, from `requests` (run id → rows).
    func cdfs(_ requests: [Int64: [RequestRecord]]) -> [Figure] {
        let withRows = shape.runs.filter { requests[$0.run.id ?? -1] != nil }
        guard !withRows.isEmpty else { return [] }
        let held = shape.varying
        var groups = shape.grouped(by: held, withRows)
        if groups.count > Self.maxCDFGroups {
            let n = Self.maxCDFGroups
            groups = (0..<n).map { groups[$0 * (groups.count - 1) / (n - 1)] }
        }
        let kinds: [(file: String, title: String, label: String, value: (RequestRecord) -> Double?)] = [
            ("cdf-ttft", "CDF of TTFT", "TTFT (ms)", { r in r.firstTokenSeconds.map { ($0 - r.arrivalSeconds) * 1000 } }),
            ("cdf-max-tbt", "CDF of each request's largest TBT", "largest TBT of a request (ms)",
             { r in r.generatedTokens >= 2 ? r.maxTBTMs : nil }),
        ]
        var figures: [Figure] = []
        for kind in kinds {
            let perGroup = groups.map { key, runs in
                (key, shape.strategies.map { strategy in
                    let values = runs.filter { $0.run.strategy == strategy }
                        .flatMap { requests[$0.run.id ?? -1] ?? [] }.compactMap(kind.value).filter(\.isFinite).sorted()
                    return LineChart.Series(name: "\(strategy) (\(values.count))", points: Self.cdfPoints(values), styleIndex: style(strategy))
                }.filter { !$0.points.isEmpty })
            }
            // One unit for every point of the sweep, so that its CDFs compare at a glance.
            let all = perGroup.flatMap { $0.1.flatMap { $0.points.map(\.x) } }
            let seconds = (all.max() ?? 0) >= Self.secondsFromMs
            for (key, unscaled) in perGroup {
                let condition = SweepShape.describe(held, key)
                let suffix = condition.map { "-" + Labels.slug($0) } ?? ""
                let series = seconds ? unscaled.map { Self.scaled($0, x: 1e-3) } : unscaled
                let xs = series.flatMap { $0.points.map(\.x) }
                let label = seconds ? kind.label.replacingOccurrences(of: "(ms)", with: "(s)") : kind.label
                let log = Self.wantsLog(xs.filter { $0 > 0 }) && (xs.min() ?? 0) > 0
                let chart = LineChart(title: kind.title, subtitle: (condition.map { $0 + "; " } ?? "") + "seeds pooled; (n) = requests",
                                      xLabel: label + (log ? ", log scale" : ""), yLabel: "fraction of requests",
                                      xScale: log ? .log : .linear, style: .steps, yIncludesZero: true, series: series)
                figures.append(Figure(fileName: kind.file + suffix + ".svg", caption: chart.title + (condition.map { " (\($0))" } ?? ""),
                                      svg: SVGRenderer.render(chart)))
            }
        }
        return figures
    }

    /// The run whose series are drawn: the `remap` run (or, without one, any strategy's) at the last grid point
    /// that has series, so at the highest load of a rate sweep.
    static func seriesRun(_ runs: [StoredRun], withSeries: Set<Int64>) -> StoredRun? {
        let candidates = runs.filter { withSeries.contains($0.run.id ?? -1) }
        return candidates.last { $0.run.strategy == "remap" } ?? candidates.last
    }

    /// One figure per stored series of `run`, a line per scope (instance).
    func timeSeries(_ run: StoredRun, _ rows: [SeriesRecord]) -> [Figure] {
        var byName: [String: [String: [LineChart.Point]]] = [:]
        for row in rows { byName[row.series, default: [:]][row.scope, default: []].append(LineChart.Point(x: row.timeSeconds, y: row.value)) }
        let point = run.point.sorted { $0.key < $1.key }.map { "\(Labels.shortAxis($0.key)) = \($0.value)" }.joined(separator: ", ")
        return byName.keys.sorted { Labels.seriesRank($0) < Labels.seriesRank($1) }.map { name in
            let scopes = byName[name]!.keys.sorted()
            let series = scopes.enumerated().map { i, scope in
                LineChart.Series(name: scope, points: byName[name]![scope]!.sorted { $0.x < $1.x }, styleIndex: i)
            }
            let chart = LineChart(title: Labels.series(name).prefix(1).uppercased() + Labels.series(name).dropFirst() + " over time",
                                  subtitle: point, xLabel: "time (s)", yLabel: Labels.series(name), style: .steps,
                                  yIncludesZero: true, series: series)
            return Figure(fileName: "series-\(Labels.slug(name)).svg", caption: chart.title + " (\(point))", svg: SVGRenderer.render(chart))
        }
    }

    /// Latencies reaching this many ms are drawn in seconds, so that ticks read 1, 10, 100 s rather than 100k ms.
    static let secondsFromMs = 10_000.0

    /// `series` with its x values multiplied by `x` and its y values by `y`.
    static func scaled(_ series: LineChart.Series, x: Double = 1, y: Double = 1) -> LineChart.Series {
        LineChart.Series(name: series.name, points: series.points.map { LineChart.Point(x: $0.x * x, y: $0.y * y) }, styleIndex: series.styleIndex)
    }

    /// Whether positive `values` spread enough for a log axis.
    static func wantsLog(_ values: [Double]) -> Bool {
        guard let low = values.min(), let high = values.max(), low > 0 else { return false }
        return high / low >= logRatio
    }

    /// Step points of the empirical CDF of sorted `values`: (v, i/n) for each distinct value, starting at 0,
    /// thinned to about 400 quantiles for large samples.
    static func cdfPoints(_ values: [Double]) -> [LineChart.Point] {
        guard let first = values.first else { return [] }
        let n = values.count
        var points = [LineChart.Point(x: first, y: 0)]
        let stride = max(1, n / 400)
        var i = 0
        while i < n {
            var j = min(n - 1, i + stride - 1)
            while j + 1 < n, values[j + 1] == values[j] { j += 1 }
            points.append(LineChart.Point(x: values[j], y: Double(j + 1) / Double(n)))
            i = j + 1
        }
        return points
    }
}
