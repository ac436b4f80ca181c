/// Writes charts as standalone SVG documents: same chart, same bytes.
public enum SVGRenderer {
    /// Points beyond this many per series are thinned (see ``LineChart/Series/decimated(maxPoints:)``).
    public static let maxPointsPerSeries = 1500

    /// A line chart. Each axis shows its values in the unit ``UnitScale`` picks from their range; a point's spread
    /// is drawn as an error bar (markers) or, over a step line, as a translucent band in the series' colour.
    public static func render(_ chart: LineChart) -> String {
        var canvas = SVGCanvas(subtitle: chart.subtitle != nil)
        canvas.title(chart.title, subtitle: chart.subtitle)
        let unscaled = chart.series.map { $0.decimated(maxPoints: maxPointsPerSeries) }
        let xProbe = Axis(label: "", scale: chart.xScale, dataMin: 1, dataMax: 1)
        let yProbe = Axis(label: "", scale: chart.yScale, dataMin: 1, dataMax: 1)
        let raw = unscaled.flatMap { $0.points }.filter { xProbe.accepts($0.x) && yProbe.accepts($0.y) }
        guard !raw.isEmpty else {
            canvas.append(SVGCanvas.text("no data", x: (canvas.plotLeft + canvas.plotRight) / 2, y: (canvas.plotTop + canvas.plotBottom) / 2, size: 14, fill: "#777"))
            canvas.frame()
            canvas.legend(chart.series.map { ($0.name, $0.style) }, title: chart.legendTitle, kind: .line(marker: chart.style == .markers, dashed: chart.style == .steps))
            return canvas.document(title: chart.title)
        }
        let xUnit = UnitScale.choose(chart.xUnit, largest: chart.xUnitLargest ?? raw.map { abs($0.x) }.max()!)
        let yUnit = UnitScale.choose(chart.yUnit, largest: raw.map { max(abs($0.y), abs($0.high ?? 0), abs($0.low ?? 0)) }.max()!)
        let series = unscaled.map { Self.scaled($0, x: xUnit.factor, y: yUnit.factor) }
        let drawable = series.flatMap { $0.points }.filter { xProbe.accepts($0.x) && yProbe.accepts($0.y) }
        var (xMin, xMax, yMin, yMax) = (drawable[0].x, drawable[0].x, drawable[0].y, drawable[0].y)
        for point in drawable {
            (xMin, xMax) = (min(xMin, point.x), max(xMax, point.x))
            for y in [point.y, point.low, point.high].compactMap({ $0 }) where yProbe.accepts(y) {
                (yMin, yMax) = (min(yMin, y), max(yMax, y))
            }
        }
        // Steps (times, latencies) start from 0 on a linear axis.
        var xAxis = Axis(label: "", scale: chart.xScale, dataMin: xMin, dataMax: xMax, includeZero: chart.style == .steps)
        var yAxis = Axis(label: "", scale: chart.yScale, dataMin: yMin, dataMax: yMax, includeZero: chart.yIncludesZero)
        xAxis.label = xUnit.label(chart.xLabel) + (xAxis.scale == .log ? ", log scale" : "")
        yAxis.label = yUnit.label(chart.yLabel) + (yAxis.scale == .log ? ", log scale" : "")
        canvas.yAxis(yAxis)
        canvas.xAxis(xAxis)
        func px(_ x: Double) -> String { SVGText.coordinate(canvas.x(xAxis, x)) }
        // Spreads reaching outside the axis (a zero on a log axis) are cut at its ends.
        func py(_ y: Double) -> String {
            let clamped = yAxis.accepts(y) ? min(max(y, yAxis.lower), yAxis.upper) : yAxis.lower
            return SVGText.coordinate(canvas.y(yAxis, clamped))
        }
        canvas.append("<g>")
        for line in series {
            let points = line.points.filter { xAxis.accepts($0.x) && yAxis.accepts($0.y) }
            guard !points.isEmpty else { continue }
            let color = line.style.color
            let holds = chart.style == .steps && points.last!.x < xMax
            if chart.style == .steps, points.contains(where: \.hasSpread) {
                var band = StepPath(x: px(points[0].x), y: py(points[0].high ?? points[0].y))
                for point in points.dropFirst() {
                    band.horizontal(px(point.x))
                    band.vertical(py(point.high ?? point.y))
                }
                if holds { band.horizontal(px(xMax)) }
                band.vertical(py(points.last!.low ?? points.last!.y))
                for i in stride(from: points.count - 1, through: 1, by: -1) {
                    band.horizontal(px(points[i].x))
                    band.vertical(py(points[i - 1].low ?? points[i - 1].y))
                }
                band.horizontal(px(points[0].x))
                canvas.append("<path d=\"\(band.d)Z\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>")
            }
            var path: String
            if chart.style == .steps {
                var steps = StepPath(x: px(points[0].x), y: py(points[0].y))
                for point in points.dropFirst() {
                    steps.horizontal(px(point.x))
                    steps.vertical(py(point.y))
                }
                // A step line holds its last value to the end of the data, so one sample still shows as a line.
                if holds { steps.horizontal(px(xMax)) }
                path = steps.d
            } else {
                path = "M\(px(points[0].x)) \(py(points[0].y))"
                for point in points.dropFirst() { path += "L\(px(point.x)) \(py(point.y))" }
            }
            let dash = chart.style == .steps ? line.style.dash : ""
            canvas.append("<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")><title>\(SVGText.escape(line.name))</title></path>")
            if chart.style == .markers {
                for point in points {
                    if point.hasSpread, let low = point.low, let high = point.high {
                        canvas.append(Self.errorBar(x: canvas.x(xAxis, point.x), from: py(low), to: py(high), color: color))
                    }
                    canvas.append(SVGCanvas.marker(line.style.marker, x: canvas.x(xAxis, point.x), y: canvas.y(yAxis, point.y), color: color))
                }
            }
        }
        canvas.append("</g>")
        canvas.frame()
        canvas.legend(chart.series.map { ($0.name, $0.style) }, title: chart.legendTitle, kind: .line(marker: chart.style == .markers, dashed: chart.style == .steps))
        return canvas.document(title: chart.title)
    }

    /// A vertical error bar at `x` between two y coordinates, with caps.
    static func errorBar(x: Double, from low: String, to high: String, color: String) -> String {
        let (left, centre, right) = (SVGText.coordinate(x - 4), SVGText.coordinate(x), SVGText.coordinate(x + 4))
        return "<path d=\"M\(centre) \(low)V\(high)M\(left) \(low)H\(right)M\(left) \(high)H\(right)\" stroke=\"\(color)\" stroke-width=\"1.5\" fill=\"none\"/>"
    }

    /// `series` with its x values (and spreads) multiplied by `x` and its y values by `y`.
    static func scaled(_ series: LineChart.Series, x: Double, y: Double) -> LineChart.Series {
        guard x != 1 || y != 1 else { return series }
        return LineChart.Series(name: series.name, points: series.points.map {
            LineChart.Point(x: $0.x * x, y: $0.y * y, low: $0.low.map { $0 * y }, high: $0.high.map { $0 * y })
        }, style: series.style)
    }

    public static func render(_ chart: BarChart) -> String {
        let longestGroup = chart.groups.map(\.count).max() ?? 0
        let slots = Double(max(1, chart.groups.count))
        let groupWidth = (SVGCanvas.width - 180 - 84) / slots
        // Labels wider than their group are turned by 30° and get room below the plot.
        let turned = Double(longestGroup) * 7 > groupWidth
        let extra = turned ? min(140, Double(longestGroup) * 3.6) : 0
        var canvas = SVGCanvas(height: 440 + extra, subtitle: chart.subtitle != nil, bottomMargin: 58 + extra)
        canvas.title(chart.title, subtitle: chart.subtitle)
        let unscaled = chart.series.flatMap { series in
            series.values.indices.flatMap { g in [series.values[g], series.spread(g)?.low, series.spread(g)?.high].compactMap { $0 } }
        }.filter(\.isFinite)
        let unit = UnitScale.choose(chart.yUnit, largest: unscaled.map(abs).max() ?? 0)
        let values = unscaled.map { $0 * unit.factor }
        let labelBars = chart.groups.count * chart.series.count <= 24
        let hasNotes = chart.series.contains { $0.notes.contains { $0 != nil } }
        // Room above the tallest bar for its label (and note).
        let headroom = labelBars ? (hasNotes ? 1.16 : 1.08) : 1.0
        let yAxis = Axis(label: unit.label(chart.yLabel), dataMin: (values.min() ?? 0) * headroom, dataMax: (values.max() ?? 1) * headroom, includeZero: true)
        canvas.yAxis(yAxis)
        let barCount = Double(max(1, chart.series.count))
        let barWidth = groupWidth * 0.8 / barCount
        let zero = canvas.y(yAxis, 0)
        for (g, group) in chart.groups.enumerated() {
            let groupLeft = canvas.plotLeft + Double(g) * groupWidth + groupWidth * 0.1
            for (s, series) in chart.series.enumerated() {
                guard g < series.values.count, let unscaledValue = series.values[g], unscaledValue.isFinite else { continue }
                let value = unscaledValue * unit.factor
                let x = groupLeft + Double(s) * barWidth
                let top = canvas.y(yAxis, value)
                let note = series.note(g)
                var spread = "", whisker: String?
                var labelY = min(top, zero)
                if let range = series.spread(g), range.high > range.low, range.low.isFinite, range.high.isFinite {
                    let (low, high) = (canvas.y(yAxis, range.low * unit.factor), canvas.y(yAxis, range.high * unit.factor))
                    spread = ", \(SVGText.short(range.low * unit.factor))–\(SVGText.short(range.high * unit.factor)) over seeds"
                    labelY = min(labelY, high)
                    whisker = Self.errorBar(x: x + barWidth * 0.46, from: SVGText.coordinate(low), to: SVGText.coordinate(high), color: "#333")
                }
                let tooltip = "\(series.name), \(group): \(SVGText.short(value))" + (note.map { " (\($0))" } ?? "") + spread
                canvas.append("<rect x=\"\(SVGText.coordinate(x))\" y=\"\(SVGText.coordinate(min(top, zero)))\" width=\"\(SVGText.coordinate(barWidth * 0.92))\" height=\"\(SVGText.coordinate(abs(zero - top)))\" fill=\"\(series.style.color)\"><title>\(SVGText.escape(tooltip))</title></rect>")
                // The series' marker in white at the bar's foot, so that bars read without colour too.
                if abs(zero - top) >= 16 {
                    canvas.append(SVGCanvas.marker(series.style.marker, x: x + barWidth * 0.46, y: value >= 0 ? zero - 9 : zero + 9, color: "white"))
                }
                if let whisker { canvas.append(whisker) }
                if labelBars {
                    canvas.append(SVGCanvas.text(SVGText.short(value), x: x + barWidth * 0.46, y: labelY - 4, size: 10, fill: "#333"))
                    if let note {
                        canvas.append(SVGCanvas.text(note, x: x + barWidth * 0.46, y: labelY - 16, size: 10, fill: "#666"))
                    }
                }
            }
            let centre = canvas.plotLeft + (Double(g) + 0.5) * groupWidth
            let labelY = canvas.plotBottom + 18
            if turned {
                canvas.append(SVGCanvas.text(group, x: centre, y: labelY, size: 12, anchor: "end",
                                             transform: "rotate(-30 \(SVGText.coordinate(centre)) \(SVGText.coordinate(labelY)))"))
            } else {
                canvas.append(SVGCanvas.text(group, x: centre, y: labelY, size: 12))
            }
        }
        canvas.append(SVGCanvas.text(chart.xLabel, x: (canvas.plotLeft + canvas.plotRight) / 2, y: canvas.height - 12, size: 13))
        canvas.frame()
        canvas.legend(chart.series.map { ($0.name, $0.style) }, title: chart.legendTitle, kind: .swatch)
        return canvas.document(title: chart.title)
    }
}

/// An SVG path of horizontal and vertical segments, written with a command only where the pen moves (a CCDF of
/// thousands of points shares many pixel rows and columns).
struct StepPath {
    private(set) var d: String
    private var x: String
    private var y: String

    init(x: String, y: String) {
        d = "M\(x) \(y)"
        (self.x, self.y) = (x, y)
    }

    mutating func horizontal(_ x: String) {
        guard x != self.x else { return }
        d += "H\(x)"
        self.x = x
    }

    mutating func vertical(_ y: String) {
        guard y != self.y else { return }
        d += "V\(y)"
        self.y = y
    }
}
