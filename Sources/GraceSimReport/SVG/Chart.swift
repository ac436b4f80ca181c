/// A chart of lines over a numeric x axis: metric against a sweep axis (with markers), CDFs and time series (steps).
public struct LineChart: Sendable {
    /// How the points of a series are joined.
    public enum Style: String, Sendable {
        /// Straight segments with a marker at each point (a metric against a sweep axis).
        case markers
        /// Steps: a value holds until the next point (CDFs, sampled time series).
        case steps
    }

    /// One line: its name in the legend, its points and which colour, marker and dash it takes from ``Palette``.
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public var styleIndex: Int

        public init(name: String, points: [Point], styleIndex: Int) {
            self.name = name
            self.points = points
            self.styleIndex = styleIndex
        }
    }

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { (self.x, self.y) = (x, y) }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var style: Style
    public var series: [Series]
    /// Whether the y axis reaches 0 (throughput, counts); latency on a linear axis does too, fractions in 0...1 too.
    public var yIncludesZero: Bool
    /// A line under the title, e.g. the values of the axes held fixed.
    public var subtitle: String?

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, style: Style = .markers, yIncludesZero: Bool = true, series: [Series]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.style = style
        self.yIncludesZero = yIncludesZero
        self.series = series
    }
}

/// A grouped bar chart: one group per category (e.g. an ablation's option), one bar per series in each group.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// One value per group, nil where the series has none.
        public var values: [Double?]
        public var styleIndex: Int
        /// A short note per group, shown above the bar's value and in its tooltip (e.g. "+12%" against the first
        /// series); empty or nil for none.
        public var notes: [String?]

        public init(name: String, values: [Double?], styleIndex: Int, notes: [String?] = []) {
            self.name = name
            self.values = values
            self.styleIndex = styleIndex
            self.notes = notes
        }

        func note(_ group: Int) -> String? { group < notes.count ? notes[group] : nil }
    }

    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String
    public var groups: [String]
    public var series: [Series]

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, groups: [String], series: [Series]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.groups = groups
        self.series = series
    }
}

extension LineChart.Series {
    /// At most about `maxPoints` points, keeping each bucket's lowest and highest value in time order, so that a
    /// long step series keeps its peaks and troughs while the SVG stays small.
    public func decimated(maxPoints: Int) -> LineChart.Series {
        guard maxPoints >= 4, points.count > maxPoints else { return self }
        let bucket = (points.count * 2 + maxPoints - 1) / maxPoints
        var kept: [LineChart.Point] = [points[0]]
        var start = 1
        while start < points.count - 1 {
            let end = min(start + bucket, points.count - 1)
            let slice = points[start..<end]
            let low = slice.indices.min { slice[$0].y < slice[$1].y }!
            let high = slice.indices.max { slice[$0].y < slice[$1].y }!
            for index in Set([low, high]).sorted() { kept.append(points[index]) }
            start = end
        }
        kept.append(points[points.count - 1])
        return LineChart.Series(name: name, points: kept, styleIndex: styleIndex)
    }
}
