import Foundation

/// The frame shared by every chart: size, plot area, title, axes with ticks, grid lines and legend, written as
/// SVG elements into a string.
///
/// Sizes are in pixels (SVG user units). The legend sits right of the plot area, so it never hides data.
struct SVGCanvas {
    static let width = 760.0
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    let height: Double
    let plotLeft = 84.0
    let plotRight = SVGCanvas.width - 180
    let plotTop: Double
    let plotBottom: Double
    private(set) var body = ""

    /// A canvas `height` pixels tall whose plot area leaves `bottomMargin` below it for tick and axis labels.
    init(height: Double = 440, subtitle: Bool, bottomMargin: Double = 58) {
        self.height = height
        plotTop = subtitle ? 64 : 48
        plotBottom = height - bottomMargin
    }

    mutating func append(_ element: String) {
        body += element
        body += "\n"
    }

    func x(_ axis: Axis, _ value: Double) -> Double { plotLeft + axis.fraction(value) * (plotRight - plotLeft) }
    func y(_ axis: Axis, _ value: Double) -> Double { plotBottom - axis.fraction(value) * (plotBottom - plotTop) }

    static func text(_ content: String, x: Double, y: Double, size: Double = 12, anchor: String = "middle",
                     weight: String? = nil, fill: String = "#222", transform: String? = nil) -> String {
        var attributes = "x=\"\(SVGText.coordinate(x))\" y=\"\(SVGText.coordinate(y))\" font-size=\"\(SVGText.fixed(size, decimals: 0))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let transform { attributes += " transform=\"\(transform)\"" }
        return "<text \(attributes)>\(SVGText.escape(content))</text>"
    }

    mutating func title(_ title: String, subtitle: String?) {
        append(Self.text(title, x: SVGCanvas.width / 2, y: 24, size: 16, weight: "bold"))
        if let subtitle { append(Self.text(subtitle, x: SVGCanvas.width / 2, y: 44, size: 12, fill: "#555")) }
    }

    /// The y axis: grid lines and labels at its ticks, and its label turned upright along the left edge.
    mutating func yAxis(_ axis: Axis) {
        for tick in axis.ticks {
            let y = SVGText.coordinate(y(axis, tick))
            append("<line x1=\"\(SVGText.coordinate(plotLeft))\" y1=\"\(y)\" x2=\"\(SVGText.coordinate(plotRight))\" y2=\"\(y)\" stroke=\"#e3e3e3\" stroke-width=\"1\"/>")
            append(Self.text(axis.tickLabel(tick), x: plotLeft - 7, y: self.y(axis, tick) + 4, size: 12, anchor: "end"))
        }
        let middle = (plotTop + plotBottom) / 2
        append(Self.text(axis.label, x: 20, y: middle, size: 13, transform: "rotate(-90 20 \(SVGText.coordinate(middle)))"))
    }

    /// The x axis: ticks below the plot area, vertical grid lines, and its label.
    mutating func xAxis(_ axis: Axis) {
        for tick in axis.ticks {
            let x = SVGText.coordinate(x(axis, tick))
            append("<line x1=\"\(x)\" y1=\"\(SVGText.coordinate(plotTop))\" x2=\"\(x)\" y2=\"\(SVGText.coordinate(plotBottom))\" stroke=\"#eeeeee\" stroke-width=\"1\"/>")
            append("<line x1=\"\(x)\" y1=\"\(SVGText.coordinate(plotBottom))\" x2=\"\(x)\" y2=\"\(SVGText.coordinate(plotBottom + 5))\" stroke=\"#444\" stroke-width=\"1\"/>")
            append(Self.text(axis.tickLabel(tick), x: self.x(axis, tick), y: plotBottom + 19, size: 12))
        }
        append(Self.text(axis.label, x: (plotLeft + plotRight) / 2, y: height - 12, size: 13))
    }

    /// The plot area's frame (drawn last, over the grid).
    mutating func frame() {
        append("<rect x=\"\(SVGText.coordinate(plotLeft))\" y=\"\(SVGText.coordinate(plotTop))\" width=\"\(SVGText.coordinate(plotRight - plotLeft))\" height=\"\(SVGText.coordinate(plotBottom - plotTop))\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>")
    }

    /// The legend: its title (what the series vary), then one entry per series with its line sample, marker or
    /// swatch, and name.
    mutating func legend(_ entries: [(name: String, style: SeriesStyle)], title: String, kind: LegendKind) {
        let left = plotRight + 16
        var top = plotTop + 10
        if !title.isEmpty {
            append(Self.text(Self.shortened(title, to: 26), x: left, y: top + 4, size: 12, anchor: "start", weight: "bold"))
            top += 22
        }
        for (row, entry) in entries.enumerated() {
            let y = top + Double(row) * 22
            let color = entry.style.color
            switch kind {
            case .swatch:
                append("<rect x=\"\(SVGText.coordinate(left))\" y=\"\(SVGText.coordinate(y - 8))\" width=\"26\" height=\"16\" fill=\"\(color)\" stroke=\"#333\" stroke-width=\"0.5\"/>")
                append(Self.marker(entry.style.marker, x: left + 13, y: y, color: "white"))
            case .line(let marker, let dashed):
                let dash = dashed ? entry.style.dash : ""
                append("<line x1=\"\(SVGText.coordinate(left))\" y1=\"\(SVGText.coordinate(y))\" x2=\"\(SVGText.coordinate(left + 26))\" y2=\"\(SVGText.coordinate(y))\" stroke=\"\(color)\" stroke-width=\"2.5\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>")
                if marker { append(Self.marker(entry.style.marker, x: left + 13, y: y, color: color)) }
            }
            append(Self.text(Self.shortened(entry.name, to: 22), x: left + 32, y: y + 4, size: 12, anchor: "start"))
        }
    }

    enum LegendKind {
        case swatch
        case line(marker: Bool, dashed: Bool)
    }

    /// A marker of `shape` centred on (x, y).
    static func marker(_ shape: Palette.Marker, x: Double, y: Double, color: String) -> String {
        let r = 4.5
        func p(_ dx: Double, _ dy: Double) -> String { "\(SVGText.coordinate(x + dx)),\(SVGText.coordinate(y + dy))" }
        let style = "fill=\"\(color)\" stroke=\"white\" stroke-width=\"1\""
        switch shape {
        case .circle:
            return "<circle cx=\"\(SVGText.coordinate(x))\" cy=\"\(SVGText.coordinate(y))\" r=\"\(SVGText.coordinate(r))\" \(style)/>"
        case .square:
            return "<rect x=\"\(SVGText.coordinate(x - r))\" y=\"\(SVGText.coordinate(y - r))\" width=\"\(SVGText.coordinate(2 * r))\" height=\"\(SVGText.coordinate(2 * r))\" \(style)/>"
        case .triangle:
            return "<polygon points=\"\(p(0, -r - 1)) \(p(r + 0.5, r)) \(p(-r - 0.5, r))\" \(style)/>"
        case .diamond:
            return "<polygon points=\"\(p(0, -r - 1)) \(p(r + 1, 0)) \(p(0, r + 1)) \(p(-r - 1, 0))\" \(style)/>"
        case .triangleDown:
            return "<polygon points=\"\(p(0, r + 1)) \(p(r + 0.5, -r)) \(p(-r - 0.5, -r))\" \(style)/>"
        case .cross:
            return "<path d=\"M\(p(-r, -r))L\(p(r, r))M\(p(-r, r))L\(p(r, -r))\" stroke=\"\(color)\" stroke-width=\"2.5\" fill=\"none\"/>"
        case .plus:
            return "<path d=\"M\(p(-r - 1, 0))L\(p(r + 1, 0))M\(p(0, -r - 1))L\(p(0, r + 1))\" stroke=\"\(color)\" stroke-width=\"2.5\" fill=\"none\"/>"
        case .star:
            let points = (0..<10).map { i -> String in
                let angle = Double(i) * Double.pi / 5 - Double.pi / 2
                let radius = i % 2 == 0 ? r + 1.5 : (r + 1.5) * 0.45
                return p(radius * cos(angle), radius * sin(angle))
            }
            return "<polygon points=\"\(points.joined(separator: " "))\" \(style)/>"
        }
    }

    /// `text` cut to `limit` characters with an ellipsis, for legends.
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// The finished document.
    func document(title: String) -> String {
        let w = SVGText.fixed(SVGCanvas.width, decimals: 0), h = SVGText.fixed(height, decimals: 0)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" font-family="\(SVGCanvas.fontFamily)">
            <title>\(SVGText.escape(title))</title>
            <rect x="0" y="0" width="\(w)" height="\(h)" fill="white"/>

            """ + body + "</svg>\n"
    }
}
