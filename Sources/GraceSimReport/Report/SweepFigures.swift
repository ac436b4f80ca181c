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
/// - for each numeric axis, P99 ITL, P99 TTFT and output throughput against it, one line per strategy, seeds
///   averaged; one figure per combination of the axes varying independently of it (zipped axes move with it);
/// - without a numeric axis (only categorical options and strategies vary), grouped bars of the same metrics,
///   one group per combination of the options;
/// - with both a categorical option (an ablation's victim, buffers, ...) and a numeric axis, grouped bars: one
///   group per value of the numeric axis, one bar per option value, labelled with the change against the first
///   option value; these replace the line charts when one strategy runs and the numeric axis has at most
///   ``maxBarGroups`` values (a numeric `strategy.*` option with that few values counts as an option);
/// - with per-request rows, CCDFs (1 − CDF, on a log axis so that the tail shows) of TTFT and of each request's
///   largest gap between tokens, one line per strategy, for up to ``maxCDFGroups`` points of the other axes;
/// - with series, CCDFs of every gap between tokens (the stored `tbt_cdf_ms` distributions) per strategy, and
///   each stored time series at one point of the grid (see ``SweepFigures/seriesRuns(_:withSeries:)``), link
///   traffic included.
///
/// Seeds are averaged everywhere: a line or bar is the mean over the seeds, with their lowest and highest as error
/// bars (lines, bars) or a band (CCDFs, series over time). A strategy's colour, marker and dash are its own
/// (``Palette/strategy(_:)``); values are shown in a unit scaled to their range (``UnitScale``).
struct SweepFigures {
    /// CCDF figures are drawn for at most this many points of the axes other than strategy and seed (evenly
    /// spread over the grid, the first and last included).
    static let maxCDFGroups = 4
    /// A latency axis turns logarithmic when its largest value is this many times its smallest.
    static let logRatio = 30.0
    /// A numeric axis with at most this many values, crossed with a categorical option, gets bars instead of lines.
    static let maxBarGroups = 4

    let sweep: String
    let shape: SweepShape
    /// The style of each strategy of the report (``Palette/strategies(_:)``), shared by every figure.
    let styles: [String: SeriesStyle]

    /// The metrics drawn against each axis and in the bars, as this sweep's runs name them.
    let headlines: [Labels.Headline]

    init(sweep: String, shape: SweepShape, styles: [String: SeriesStyle]) {
        self.sweep = sweep
        self.shape = shape
        self.styles = styles
        headlines = Labels.headlineMetrics(for: shape.runs)
    }

    func style(_ strategy: String) -> SeriesStyle { styles[strategy] ?? Palette.strategy(strategy) }

    /// Metric-against-axis line charts, one set per numeric axis and group of independent axes.
    func metricLines() -> [Figure] {
        var figures: [Figure] = []
        for axis in xAxes where !barsReplaceLines(axis) {
            let held = shape.independent(of: axis)
            // A group in which the axis takes one value has no line to draw (an axis zipped with others whose values
            // repeat, such as a memory fraction shared by several levels of precision).
            for (key, runs) in shape.grouped(by: held) where Set(runs.compactMap { $0.point[axis] }).count >= 2 {
                let condition = SweepShape.describe(held, key)
                let suffix = condition.map { "-" + Labels.slug($0) } ?? ""
                for headline in headlines {
                    let series: [LineChart.Series] = shape.strategies.map { strategy in
                        let points = shape.values[axis]!.compactMap { value -> LineChart.Point? in
                            let members = runs.filter { $0.run.strategy == strategy && $0.point[axis] == value }
                            guard let mean = SweepShape.mean(headline.metric, of: members) else { return nil }
                            let range = SweepShape.range(headline.metric, of: members)
                            return LineChart.Point(x: Double(value)!, y: mean, low: range?.low, high: range?.high)
                        }
                        return LineChart.Series(name: strategy, points: points, style: style(strategy))
                    }.filter { !$0.points.isEmpty }
                    let ys = series.flatMap { $0.points.map(\.y) }
                    let log = headline.latency && Self.wantsLog(ys)
                    let chart = LineChart(title: "\(headline.title) vs \(Labels.axis(axis))",
                                          subtitle: (condition.map { $0 + "; " } ?? "") + shape.seedNote("bars"),
                                          xLabel: Labels.axis(axis), yLabel: headline.label, yUnit: headline.unit,
                                          yScale: log ? .log : .linear, style: .markers, yIncludesZero: true,
                                          legendTitle: SweepShape.seriesAxis, series: series)
                    let name = Labels.svgFileName("\(Labels.slug(headline.metric))-vs-\(Labels.slug(axisName(axis)))\(suffix)")
                    figures.append(Figure(fileName: name, caption: chart.title + (condition.map { " (\($0))" } ?? "") + "; mean over seeds", svg: SVGRenderer.render(chart)))
                }
            }
        }
        return figures
    }

    /// An axis as figure file names show it: its last key component, or as much of its key as tells it apart from
    /// the sweep's other varying axes, so that no figure overwrites another.
    func axisName(_ axis: String) -> String { Labels.shortAxis(axis, among: shape.varying) }

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
                let barLabel = barAxes.map(axisName).joined(separator: ", ")
                let legendTitle = barLabel + (shape.strategies.count > 1 ? ", strategy" : "")
                for headline in headlines {
                    let members = bars.map { bar in values.map { value in bar.runs.filter { $0.point[axis] == value } } }
                    let means = members.map { $0.map { SweepShape.mean(headline.metric, of: $0) } }
                    let series = bars.enumerated().map { i, bar in
                        BarChart.Series(name: bar.name, values: means[i], styleIndex: i, notes: values.indices.map { g in
                            guard i > 0, let base = means[0][g], let value = means[i][g], base != 0 else { return nil }
                            let change = (value / base - 1) * 100
                            return SVGText.signedPercent(change)
                        }, spreads: members[i].map { SweepShape.range(headline.metric, of: $0) })
                    }
                    let chart = BarChart(title: "\(headline.title) by \(barLabel)",
                                         subtitle: (condition.map { $0 + "; " } ?? "") + shape.seedNote("bars") + "; % against \(bars.first?.name ?? "")",
                                         xLabel: Labels.axis(axis), yLabel: headline.label, yUnit: headline.unit,
                                         groups: values.map { "\(Labels.shortAxis(axis)) = \($0)" }, legendTitle: legendTitle, series: series)
                    let name = Labels.svgFileName("bars-\(Labels.slug(headline.metric))-by-\(Labels.slug(barLabel))-vs-\(Labels.slug(axisName(axis)))\(suffix)")
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
        return headlines.map { headline in
            let series = shape.strategies.map { strategy in
                let members = groups.map { group in group.runs.filter { $0.run.strategy == strategy } }
                return BarChart.Series(name: strategy, values: members.map { SweepShape.mean(headline.metric, of: $0) },
                                       style: style(strategy), spreads: members.map { SweepShape.range(headline.metric, of: $0) })
            }
            let chart = BarChart(title: headline.title + (axes.isEmpty ? " by strategy" : " by " + xLabel),
                                 subtitle: "\(sweep); " + shape.seedNote("bars"), xLabel: xLabel, yLabel: headline.label,
                                 yUnit: headline.unit, groups: axes.isEmpty ? [sweep] : groupNames,
                                 legendTitle: SweepShape.seriesAxis, series: series)
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

    /// CCDFs of TTFT and of each request's largest gap between tokens, from `requests` (run id → rows): one line
    /// per strategy, the mean over its runs (seeds) of each run's CCDF, with their lowest and highest as a band.
    func ccdfs(_ requests: [Int64: [RequestRecord]]) -> [Figure] {
        let withRows = shape.runs.filter { requests[$0.run.id ?? -1] != nil }
        guard !withRows.isEmpty else { return [] }
        let groups = cdfGroups(withRows)
        let kinds: [(file: String, title: String, label: String, value: (RequestRecord) -> Double?)] = [
            ("ccdf-ttft", "CCDF of TTFT", "TTFT", { r in r.firstTokenSeconds.map { ($0 - r.arrivalSeconds) * 1000 } }),
            ("ccdf-max-itl", "CCDF of each request's largest inter-token gap", "largest ITL of a request",
             { r in r.generatedTokens >= 2 ? r.maxTBTMs : nil }),
        ]
        var figures: [Figure] = []
        for kind in kinds {
            let perGroup = groups.map { key, runs in
                (key, shape.strategies.compactMap { strategy -> LineChart.Series? in
                    let members = runs.filter { $0.run.strategy == strategy }.map { run in
                        (requests[run.run.id ?? -1] ?? []).compactMap(kind.value).filter(\.isFinite).sorted()
                    }.filter { !$0.isEmpty }
                    guard !members.isEmpty else { return nil }
                    let points = Self.meanSteps(members.map(Self.ccdfPoints), before: 1)
                    let count = members.reduce(0) { $0 + $1.count }
                    return LineChart.Series(name: "\(strategy) (\(count))", points: points, style: style(strategy))
                })
            }
            figures += perGroup.map { key, series in
                ccdfFigure(file: kind.file, title: kind.title, key: key, xLabel: kind.label, yLabel: "fraction of requests above",
                           note: "(n) = requests", series: series, largest: Self.largestX(perGroup.map(\.1)))
            }
        }
        return figures
    }

    /// CCDFs of every gap between tokens, one line per strategy, from each run's stored `tbt_cdf_ms` distribution
    /// (run id → its 101 (fraction, gap ms) points, so the CCDF reaches down to 0.01): the mean over the strategy's
    /// runs (seeds) of their CCDFs, with their lowest and highest as a band.
    func itlCCDFs(_ distributions: [Int64: [SeriesRecord]]) -> [Figure] {
        let withRows = shape.runs.filter { !(distributions[$0.run.id ?? -1] ?? []).isEmpty }
        guard !withRows.isEmpty else { return [] }
        let groups = cdfGroups(withRows)
        let perGroup = groups.map { key, runs in
            (key, shape.strategies.compactMap { strategy -> LineChart.Series? in
                let members = runs.filter { $0.run.strategy == strategy }.compactMap { run -> [LineChart.Point]? in
                    let rows = (distributions[run.run.id ?? -1] ?? []).sorted { ($0.value, $0.timeSeconds) < ($1.value, $1.timeSeconds) }
                    return rows.isEmpty ? nil : rows.map { LineChart.Point(x: $0.value, y: max(0, 1 - $0.timeSeconds)) }
                }
                guard !members.isEmpty else { return nil }
                let seeds = members.count == 1 ? "1 run" : "\(members.count) runs"
                return LineChart.Series(name: "\(strategy) (\(seeds))", points: Self.meanSteps(members, before: 1), style: style(strategy))
            })
        }
        return perGroup.map { key, series in
            ccdfFigure(file: "ccdf-itl", title: "CCDF of inter-token latency (every gap)", key: key, xLabel: "inter-token latency",
                       yLabel: "fraction of token gaps above", note: "all requests' gaps pooled per run", series: series,
                       largest: Self.largestX(perGroup.map(\.1)))
        }
    }

    /// The largest x of any point of `groups`, so that a sweep's CCDFs share one unit and compare at a glance.
    static func largestX(_ groups: [[LineChart.Series]]) -> Double {
        groups.flatMap { $0.flatMap { $0.points.map(\.x) } }.max() ?? 0
    }

    /// One CCDF figure at the grid point `key` of the varying axes: x in ms scaled to the sweep's `largest`, log
    /// when it spans ``logRatio`` or more; y, the fraction above, on a log axis down to its smallest nonzero value.
    private func ccdfFigure(file: String, title: String, key: [String], xLabel: String, yLabel: String, note: String,
                            series: [LineChart.Series], largest: Double) -> Figure {
        let condition = SweepShape.describe(shape.varying, key)
        let suffix = condition.map { "-" + Labels.slug($0) } ?? ""
        let xs = series.flatMap { $0.points.map(\.x) }
        let log = Self.wantsLog(xs.filter { $0 > 0 }) && (xs.min() ?? 0) > 0
        let chart = LineChart(title: title, subtitle: (condition.map { $0 + "; " } ?? "") + note + "; " + shape.seedNote("band"),
                              xLabel: xLabel, yLabel: yLabel, xUnit: "ms", xUnitLargest: largest, xScale: log ? .log : .linear,
                              yScale: .log, style: .steps, yIncludesZero: false, legendTitle: SweepShape.seriesAxis, series: series)
        return Figure(fileName: file + suffix + ".svg", caption: chart.title + (condition.map { " (\($0))" } ?? ""),
                      svg: SVGRenderer.render(chart))
    }

    /// The mean of step curves (points ascending in x, each value holding until the next point), at every x any of
    /// them has, with the lowest and highest of them as the point's spread. A curve is `before` left of its first
    /// point and holds its last value after it; with `before` nil it counts only from its first to its last point
    /// (series over time of runs that end at different times). Curves are summed in the order given.
    static func meanSteps(_ curves: [[LineChart.Point]], before: Double?) -> [LineChart.Point] {
        let present = curves.filter { !$0.isEmpty }
        guard !present.isEmpty else { return [] }
        let xs = Set(present.flatMap { $0.map(\.x) }).sorted()
        var next = Array(repeating: 0, count: present.count)
        return xs.compactMap { x in
            var values: [Double] = []
            for (c, curve) in present.enumerated() {
                while next[c] < curve.count, curve[next[c]].x <= x { next[c] += 1 }
                if next[c] > 0 {
                    if before != nil || x <= curve[curve.count - 1].x { values.append(curve[next[c] - 1].y) }
                } else if let before {
                    values.append(before)
                }
            }
            guard !values.isEmpty else { return nil }
            let mean = values.reduce(0, +) / Double(values.count)
            return LineChart.Point(x: x, y: mean, low: values.min(), high: values.max())
        }
    }

    /// The runs whose series are drawn: the `remap` run (or, without one, any strategy's) at the last grid point
    /// that has series, so at the highest load of a rate sweep, with the runs of its other seeds (same strategy,
    /// same values of every other axis), in grid order.
    static func seriesRuns(_ runs: [StoredRun], withSeries: Set<Int64>) -> [StoredRun] {
        let candidates = runs.filter { withSeries.contains($0.run.id ?? -1) }
        guard let chosen = candidates.last(where: { $0.run.strategy == "remap" }) ?? candidates.last else { return [] }
        func key(_ run: StoredRun) -> [String: String] { run.point.filter { $0.key != SweepShape.seedAxis } }
        return candidates.filter { $0.run.strategy == chosen.run.strategy && key($0) == key(chosen) }
    }

    /// One figure per stored series of `runs` (one grid point, its seeds: `rows` by run id), a line per scope
    /// (instance), the mean over the seeds with their lowest and highest as a band. Link traffic
    /// (`link_h2d_bytes_per_s`, `link_d2h_bytes_per_s`) is one figure, a line per direction; distributions that are
    /// not over time (`tbt_cdf_ms`) are left out.
    func timeSeries(_ runs: [StoredRun], _ rows: [Int64: [SeriesRecord]]) -> [Figure] {
        guard let first = runs.first else { return [] }
        // Each run's samples by series name and scope, then per name and scope one curve per run, in run order.
        let perRun = runs.map { run in
            var samples: [String: [String: [LineChart.Point]]] = [:]
            for row in rows[run.run.id ?? -1] ?? [] where !Labels.notOverTime.contains(row.series) {
                samples[row.series, default: [:]][row.scope, default: []].append(LineChart.Point(x: row.timeSeconds, y: row.value))
            }
            return samples
        }
        var byName: [String: [String: [[LineChart.Point]]]] = [:]
        for name in Set(perRun.flatMap(\.keys)) {
            for scope in Set(perRun.flatMap { $0[name]?.keys.map { $0 } ?? [] }) {
                byName[name, default: [:]][scope] = perRun.map { $0[name]?[scope] ?? [] }
            }
        }
        func mean(_ curves: [[LineChart.Point]]) -> [LineChart.Point] {
            Self.meanSteps(curves.map { $0.sorted { $0.x < $1.x } }, before: nil)
        }
        let fixed = first.point.filter { $0.key != SweepShape.seedAxis }.sorted { $0.key < $1.key }
        let point = fixed.map { "\(Labels.shortAxis($0.key)) = \($0.value)" }.joined(separator: ", ")
        let seeds = runs.count > 1 ? "mean of \(runs.count) seeds, band min–max" : "1 seed"
        var link: [Figure] = []
        let directions = [("link_h2d_bytes_per_s", "host to device"), ("link_d2h_bytes_per_s", "device to host")]
        let linkSeries = directions.enumerated().compactMap { i, direction -> LineChart.Series? in
            guard let curves = byName.removeValue(forKey: direction.0)?.values.first else { return nil }
            return LineChart.Series(name: direction.1, points: mean(curves), styleIndex: i)
        }
        if !linkSeries.isEmpty {
            let chart = LineChart(title: "CPU–GPU link traffic over time", subtitle: point + "; mean per sample interval; " + seeds,
                                  xLabel: "time", yLabel: "link traffic", xUnit: "s", yUnit: "B/s", style: .steps,
                                  yIncludesZero: true, legendTitle: "direction", series: linkSeries)
            link.append(Figure(fileName: "series-link-traffic.svg", caption: chart.title + " (\(point))", svg: SVGRenderer.render(chart)))
        }
        let names = byName.keys.sorted { Labels.seriesRank($0) < Labels.seriesRank($1) }
        // Capacity and remapping first, then link traffic, then the rest.
        let split = names.firstIndex { Labels.seriesRank($0).0 >= 2 } ?? names.endIndex
        let others = names.map { name in
            let scopes = byName[name]!.keys.sorted()
            let series = scopes.enumerated().map { i, scope in
                LineChart.Series(name: scope, points: mean(byName[name]![scope]!), styleIndex: i)
            }
            let label = Labels.series(name)
            let chart = LineChart(title: label.label.prefix(1).uppercased() + label.label.dropFirst() + " over time",
                                  subtitle: point + "; " + seeds, xLabel: "time", yLabel: label.label, xUnit: "s",
                                  yUnit: label.unit, style: .steps, yIncludesZero: true, legendTitle: "instance", series: series)
            return Figure(fileName: "series-\(Labels.slug(name)).svg", caption: chart.title + " (\(point))", svg: SVGRenderer.render(chart))
        }
        return Array(others[..<split]) + link + Array(others[split...])
    }

    /// Whether positive `values` spread enough for a log axis.
    static func wantsLog(_ values: [Double]) -> Bool {
        guard let low = values.min(), let high = values.max(), low > 0 else { return false }
        return high / low >= logRatio
    }

    /// Step points of the empirical CCDF (the fraction of values above) of sorted `values`: (v₁, 1), then (v, the
    /// fraction above v) at each distinct value, ending at 0. Large samples are thinned to about 400 quantiles,
    /// but their last 400 values are all kept, so that the tail keeps its shape on a log axis.
    static func ccdfPoints(_ values: [Double]) -> [LineChart.Point] {
        guard let first = values.first else { return [] }
        let n = values.count
        var points = [LineChart.Point(x: first, y: 1)]
        let stride = max(1, n / 400)
        var i = 0
        while i < n {
            var j = n - i <= 400 ? i : min(n - 401, i + stride - 1)
            while j + 1 < n, values[j + 1] == values[j] { j += 1 }
            points.append(LineChart.Point(x: values[j], y: Double(n - j - 1) / Double(n)))
            i = j + 1
        }
        return points
    }
}
