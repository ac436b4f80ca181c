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
/// - without a numeric axis (only categorical options and strategies vary), grouped bars of the same metrics,
///   one group per combination of the options;
/// - with both a categorical option (an ablation's victim, buffers, ...) and a numeric axis, grouped bars: one
///   group per value of the numeric axis, one bar per option value, labelled with the change against the first
///   option value; these replace the line charts when one strategy runs and the numeric axis has at most
///   ``maxBarGroups`` values (a numeric `strategy.*` option with that few values counts as an option);
/// - with per-request rows, CDFs of TTFT and of each request's largest gap between tokens, one line per
///   strategy, seeds pooled, for up to ``maxCDFGroups`` points of the other axes;
/// - with series, CDFs of every gap between tokens (the stored `tbt_cdf_ms` distributions) per strategy, and
///   each stored time series of one run (see ``SweepFigures/seriesRun(_:withSeries:)``), link traffic in GB/s.
struct SweepFigures {
    /// CDF figures are drawn for at most this many points of the axes other than strategy and seed (evenly
    /// spread over the grid, the first and last included).
    static let maxCDFGroups = 4
    /// A latency axis turns logarithmic when its largest value is this many times its smallest.
    static let logRatio = 30.0
    /// A numeric axis with at most this many values, crossed with a categorical option, gets bars instead of lines.
    static let maxBarGroups = 4

    let sweep: String
    let shape: SweepShape
    /// Colour index of each strategy, shared by every figure of the report.
    let styles: [String: Int]

    func style(_ strategy: String) -> Int { styles[strategy] ?? 0 }

    /// Metric-against-axis line charts, one set per numeric axis and group of independent axes.
    func metricLines() -> [Figure] {
        var figures: [Figure] = []
        for axis in xAxes where !barsReplaceLines(axis) {
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

    /// The axes compared side by side as options: those whose values are not all numbers, and a strategy's
    /// numeric option (`strategy.cap`) with at most ``maxBarGroups`` values when another numeric axis varies.
    var categorical: [String] {
        shape.varying.filter { axis in
            guard shape.numeric.contains(axis) else { return true }
            return axis.hasPrefix("strategy.") && shape.values[axis]!.count <= Self.maxBarGroups
                && shape.numeric.contains { $0 != axis && !$0.hasPrefix("strategy.") }
        }
    }

    /// The numeric axes drawn along an x axis (lines, or groups of bars).
    var xAxes: [String] { shape.numeric.filter { !categorical.contains($0) } }

    /// Whether `axis` is drawn as groups of bars only: it has few values and a categorical option varies
    /// independently of it (lines of two points, one figure per option value, compare worse than bars side by side),
    /// and a single strategy runs (with several, the strategies are the lines, one figure per option value).
    func barsReplaceLines(_ axis: String) -> Bool {
        guard shape.strategies.count == 1 else { return false }
        let options = shape.independent(of: axis).filter { categorical.contains($0) }
        return !options.isEmpty && shape.values[axis]!.count <= Self.maxBarGroups
    }

    /// Grouped bars for a sweep of one strategy with a categorical option and a numeric axis (an ablation): for
    /// each numeric axis, one group per value, one bar per option value, seeds averaged; one set of figures per
    /// combination of the other numeric axes. Each bar's note is its change against the first bar of its group.
    func optionBars() -> [Figure] {
        let options = categorical
        guard !options.isEmpty, shape.strategies.count == 1 else { return [] }
        var figures: [Figure] = []
        for axis in xAxes {
            let varying = shape.independent(of: axis)
            let barAxes = varying.filter { options.contains($0) }
            guard !barAxes.isEmpty else { continue }
            let held = varying.filter { !options.contains($0) }
            let values = shape.values[axis]!
            for (key, runs) in shape.grouped(by: held) {
                let condition = SweepShape.describe(held, key)
                let suffix = condition.map { "-" + Labels.slug($0) } ?? ""
                // The bars of a group, in grid order: each combination of the options, times each strategy.
                var bars: [(name: String, runs: [StoredRun])] = []
                for (option, optionRuns) in shape.grouped(by: barAxes, runs) {
                    let label = Labels.option(barAxes.count == 1 ? option[0] : SweepShape.describe(barAxes, option)!)
                    for strategy in shape.strategies {
                        let members = optionRuns.filter { $0.run.strategy == strategy }
                        guard !members.isEmpty else { continue }
                        bars.append((shape.strategies.count > 1 ? "\(label), \(strategy)" : label, members))
                    }
                }
                let barLabel = barAxes.map(Labels.shortAxis).joined(separator: ", ")
                for headline in Labels.headlineMetrics {
                    let means = bars.map { bar in values.map { value in
                        SweepShape.mean(headline.metric, of: bar.runs.filter { $0.point[axis] == value })
                    } }
                    let series = bars.enumerated().map { i, bar in
                        BarChart.Series(name: bar.name, values: means[i], styleIndex: i, notes: values.indices.map { g in
                            guard i > 0, let base = means[0][g], let value = means[i][g], base != 0 else { return nil }
                            let change = (value / base - 1) * 100
                            return SVGText.signedPercent(change)
                        })
                    }
                    let chart = BarChart(title: "\(headline.title) by \(barLabel)",
                                         subtitle: (condition.map { $0 + "; " } ?? "") + "mean over seeds; % against \(bars.first?.name ?? "")",
                                         xLabel: Labels.axis(axis), yLabel: headline.label,
                                         groups: values.map { "\(Labels.shortAxis(axis)) = \($0)" }, series: series)
                    let name = "bars-\(Labels.slug(headline.metric))-by-\(Labels.slug(barLabel))-vs-\(Labels.slug(Labels.shortAxis(axis)))\(suffix).svg"
                    figures.append(Figure(fileName: name, caption: chart.title + " at each \(Labels.axis(axis))" + (condition.map { " (\($0))" } ?? "")
                                          + "; mean over seeds, change against \(bars.first?.name ?? "") above each bar", svg: SVGRenderer.render(chart)))
                }
            }
        }
        return figures
    }

    /// Grouped bars for a sweep without numeric axes: a group per combination of its options.
    func ablationBars() -> [Figure] {
        guard xAxes.isEmpty else { return [] }
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

    /// `runs` grouped by the varying axes, thinned to at most ``maxCDFGroups`` groups spread over the grid.
    private func cdfGroups(_ runs: [StoredRun]) -> [(key: [String], runs: [StoredRun])] {
        let groups = shape.grouped(by: shape.varying, runs)
        guard groups.count > Self.maxCDFGroups else { return groups }
        let n = Self.maxCDFGroups
        return (0..<n).map { groups[$0 * (groups.count - 1) / (n - 1)] }
    }

    /// CDFs of TTFT and of each request's largest gap between tokens, from `requests` (run id → rows).
    func cdfs(_ requests: [Int64: [RequestRecord]]) -> [Figure] {
        let withRows = shape.runs.filter { requests[$0.run.id ?? -1] != nil }
        guard !withRows.isEmpty else { return [] }
        let held = shape.varying
        let groups = cdfGroups(withRows)
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

    /// CDFs of every gap between tokens, one line per strategy, from each run's stored `tbt_cdf_ms` distribution
    /// (run id → its 101 (fraction, gap ms) points). Seeds are combined as the mean of their runs' CDFs.
    func tbtCDFs(_ distributions: [Int64: [SeriesRecord]]) -> [Figure] {
        let withRows = shape.runs.filter { !(distributions[$0.run.id ?? -1] ?? []).isEmpty }
        guard !withRows.isEmpty else { return [] }
        let held = shape.varying
        let groups = cdfGroups(withRows)
        let perGroup = groups.map { key, runs in
            (key, shape.strategies.compactMap { strategy -> LineChart.Series? in
                let members = runs.filter { $0.run.strategy == strategy }.map { run in
                    (distributions[run.run.id ?? -1] ?? []).sorted { $0.timeSeconds < $1.timeSeconds }.map { (ms: $0.value, fraction: $0.timeSeconds) }
                }
                let points = Self.meanCDF(members)
                guard !points.isEmpty else { return nil }
                let seeds = members.count == 1 ? "1 run" : "\(members.count) runs"
                return LineChart.Series(name: "\(strategy) (\(seeds))", points: points, styleIndex: style(strategy))
            })
        }
        let all = perGroup.flatMap { $0.1.flatMap { $0.points.map(\.x) } }
        let seconds = (all.max() ?? 0) >= Self.secondsFromMs
        return perGroup.map { key, unscaled in
            let condition = SweepShape.describe(held, key)
            let suffix = condition.map { "-" + Labels.slug($0) } ?? ""
            let series = seconds ? unscaled.map { Self.scaled($0, x: 1e-3) } : unscaled
            let xs = series.flatMap { $0.points.map(\.x) }
            let label = seconds ? "time between tokens (s)" : "time between tokens (ms)"
            let log = Self.wantsLog(xs.filter { $0 > 0 }) && (xs.min() ?? 0) > 0
            let chart = LineChart(title: "CDF of time between tokens (every gap)",
                                  subtitle: (condition.map { $0 + "; " } ?? "") + "all requests' gaps pooled per run; runs of a strategy averaged",
                                  xLabel: label + (log ? ", log scale" : ""), yLabel: "fraction of token gaps",
                                  xScale: log ? .log : .linear, style: .steps, yIncludesZero: true, series: series)
            return Figure(fileName: "cdf-tbt\(suffix).svg", caption: chart.title + (condition.map { " (\($0))" } ?? ""),
                          svg: SVGRenderer.render(chart))
        }
    }

    /// The mean of step CDFs given as (value, fraction) points ascending: at each value any of them reaches, the
    /// mean over the CDFs of the fraction each has reached by then.
    static func meanCDF(_ cdfs: [[(ms: Double, fraction: Double)]]) -> [LineChart.Point] {
        let present = cdfs.filter { !$0.isEmpty }
        guard !present.isEmpty else { return [] }
        let xs = Set(present.flatMap { $0.map(\.ms) }).sorted()
        return xs.map { x in
            let total = present.reduce(0.0) { sum, cdf in sum + (cdf.last { $0.ms <= x }?.fraction ?? 0) }
            return LineChart.Point(x: x, y: total / Double(present.count))
        }
    }

    /// The run whose series are drawn: the `remap` run (or, without one, any strategy's) at the last grid point
    /// that has series, so at the highest load of a rate sweep.
    static func seriesRun(_ runs: [StoredRun], withSeries: Set<Int64>) -> StoredRun? {
        let candidates = runs.filter { withSeries.contains($0.run.id ?? -1) }
        return candidates.last { $0.run.strategy == "remap" } ?? candidates.last
    }

    /// One figure per stored series of `run`, a line per scope (instance).
    /// Link traffic (`link_h2d_bytes_per_s`, `link_d2h_bytes_per_s`) is one figure, a line per direction, in GB/s;
    /// distributions that are not over time (`tbt_cdf_ms`) are left out.
    func timeSeries(_ run: StoredRun, _ rows: [SeriesRecord]) -> [Figure] {
        var byName: [String: [String: [LineChart.Point]]] = [:]
        for row in rows where !Labels.notOverTime.contains(row.series) {
            byName[row.series, default: [:]][row.scope, default: []].append(LineChart.Point(x: row.timeSeconds, y: row.value))
        }
        let point = run.point.sorted { $0.key < $1.key }.map { "\(Labels.shortAxis($0.key)) = \($0.value)" }.joined(separator: ", ")
        var link: [Figure] = []
        let directions = [("link_h2d_bytes_per_s", "host to device"), ("link_d2h_bytes_per_s", "device to host")]
        let linkSeries = directions.enumerated().compactMap { i, direction -> LineChart.Series? in
            guard let points = byName.removeValue(forKey: direction.0)?.values.first else { return nil }
            return LineChart.Series(name: direction.1, points: points.sorted { $0.x < $1.x }.map { LineChart.Point(x: $0.x, y: $0.y / 1e9) }, styleIndex: i)
        }
        if !linkSeries.isEmpty {
            let chart = LineChart(title: "CPU–GPU link traffic over time", subtitle: point + "; mean per sample interval",
                                  xLabel: "time (s)", yLabel: "link traffic (GB/s)", style: .steps, yIncludesZero: true, series: linkSeries)
            link.append(Figure(fileName: "series-link-traffic.svg", caption: chart.title + " (\(point))", svg: SVGRenderer.render(chart)))
        }
        let names = byName.keys.sorted { Labels.seriesRank($0) < Labels.seriesRank($1) }
        // Capacity and remapping first, then link traffic, then the rest.
        let split = names.firstIndex { Labels.seriesRank($0).0 >= 2 } ?? names.endIndex
        let others = names.map { name in
            let scopes = byName[name]!.keys.sorted()
            let series = scopes.enumerated().map { i, scope in
                LineChart.Series(name: scope, points: byName[name]![scope]!.sorted { $0.x < $1.x }, styleIndex: i)
            }
            let chart = LineChart(title: Labels.series(name).prefix(1).uppercased() + Labels.series(name).dropFirst() + " over time",
                                  subtitle: point, xLabel: "time (s)", yLabel: Labels.series(name), style: .steps,
                                  yIncludesZero: true, series: series)
            return Figure(fileName: "series-\(Labels.slug(name)).svg", caption: chart.title + " (\(point))", svg: SVGRenderer.render(chart))
        }
        return Array(others[..<split]) + link + Array(others[split...])
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
