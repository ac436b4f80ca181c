/// Writes charts as standalone SVG documents: same chart, same bytes.
public enum SVGRenderer {
    /// Points beyond this many per series are thinned (see ``LineChart/Series/decimated(maxPoints:)``).
    public static let maxPointsPerSeries = 1500

    public static func render(_ chart: LineChart) -> String {
        var canvas = SVGCanvas(subtitle: chart.subtitle != nil)
        canvas.title(chart.title, subtitle: chart.subtitle)
        let series = chart.series.map { $0.decimated(maxPoints: maxPointsPerSeries) }
        let xProbe = Axis(label: "", scale: chart.xScale, dataMin: 1, dataMax: 1)
        let yProbe = Axis(label: "", scale: chart.yScale, dataMin: 1, dataMax: 1)
        let drawable = series.flatMap { $0.points }.filter { xProbe.accepts($0.x) && yProbe.accepts($0.y) }
        guard let first = drawable.first else {
            canvas.append(SVGCanvas.text("no data", x: (canvas.plotLeft + canvas.plotRight) / 2, y: (canvas.plotTop + canvas.plotBottom) / 2, size: 14, fill: "#777"))
            canvas.frame()
            return canvas.document(title: chart.title)
        }
        var (xMin, xMax, yMin, yMax) = (first.x, first.x, first.y, first.y)
        for point in drawable {
            (xMin, xMax) = (min(xMin, point.x), max(xMax, point.x))
            (yMin, yMax) = (min(yMin, point.y), max(yMax, point.y))
        }
        // Steps (times, latencies) start from 0 on a linear axis.
        let xAxis = Axis(label: chart.xLabel, scale: chart.xScale, dataMin: xMin, dataMax: xMax, includeZero: chart.style == .steps)
        let yAxis = Axis(label: chart.yLabel, scale: chart.yScale, dataMin: yMin, dataMax: yMax, includeZero: chart.yIncludesZero)
        canvas.yAxis(yAxis)
        canvas.xAxis(xAxis)
        canvas.append("<g>")
        for line in series {
            let points = line.points.filter { xAxis.accepts($0.x) && yAxis.accepts($0.y) }
            guard !points.isEmpty else { continue }
            let color = Palette.color(line.styleIndex)
            var path = ""
            for (i, point) in points.enumerated() {
                let x = SVGText.coordinate(canvas.x(xAxis, point.x)), y = SVGText.coordinate(canvas.y(yAxis, point.y))
                if i == 0 {
                    path += "M\(x) \(y)"
                } else if chart.style == .steps {
                    path += "H\(x)V\(y)"
                } else {
                    path += "L\(x) \(y)"
                }
            }
            // A step line holds its last value to the end of the data, so one sample still shows as a line.
            if chart.style == .steps, let last = points.last, last.x < xMax {
                path += "H\(SVGText.coordinate(canvas.x(xAxis, xMax)))"
            }
            let dash = chart.style == .steps ? Palette.dash(line.styleIndex) : ""
            canvas.append("<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")><title>\(SVGText.escape(line.name))</title></path>")
            if chart.style == .markers {
                for point in points {
                    canvas.append(SVGCanvas.marker(Palette.marker(line.styleIndex), x: canvas.x(xAxis, point.x), y: canvas.y(yAxis, point.y), color: color))
                }
            }
        }
        canvas.append("</g>")
        canvas.frame()
        canvas.legend(chart.series.map { ($0.name, $0.styleIndex) }, kind: .line(marker: chart.style == .markers, dashed: chart.style == .steps))
        return canvas.document(title: chart.title)
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
        let values = chart.series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        let labelBars = chart.groups.count * chart.series.count <= 24
        let hasNotes = chart.series.contains { $0.notes.contains { $0 != nil } }
        // Room above the tallest bar for its label (and note).
        let headroom = labelBars ? (hasNotes ? 1.16 : 1.08) : 1.0
        let yAxis = Axis(label: chart.yLabel, dataMin: (values.min() ?? 0) * headroom, dataMax: (values.max() ?? 1) * headroom, includeZero: true)
        canvas.yAxis(yAxis)
        let barCount = Double(max(1, chart.series.count))
        let barWidth = groupWidth * 0.8 / barCount
        let zero = canvas.y(yAxis, 0)
        for (g, group) in chart.groups.enumerated() {
            let groupLeft = canvas.plotLeft + Double(g) * groupWidth + groupWidth * 0.1
            for (s, series) in chart.series.enumerated() {
                guard g < series.values.count, let value = series.values[g], value.isFinite else { continue }
                let x = groupLeft + Double(s) * barWidth
                let top = canvas.y(yAxis, value)
                let note = series.note(g)
                let tooltip = "\(series.name), \(group): \(SVGText.short(value))" + (note.map { " (\($0))" } ?? "")
                canvas.append("<rect x=\"\(SVGText.coordinate(x))\" y=\"\(SVGText.coordinate(min(top, zero)))\" width=\"\(SVGText.coordinate(barWidth * 0.92))\" height=\"\(SVGText.coordinate(abs(zero - top)))\" fill=\"\(Palette.color(series.styleIndex))\"><title>\(SVGText.escape(tooltip))</title></rect>")
                if labelBars {
                    canvas.append(SVGCanvas.text(SVGText.short(value), x: x + barWidth * 0.46, y: min(top, zero) - 4, size: 10, fill: "#333"))
                    if let note {
                        canvas.append(SVGCanvas.text(note, x: x + barWidth * 0.46, y: min(top, zero) - 16, size: 10, fill: "#666"))
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
        canvas.legend(chart.series.map { ($0.name, $0.styleIndex) }, kind: .swatch)
        return canvas.document(title: chart.title)
    }
}
