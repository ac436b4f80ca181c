/// A chart of lines over a numeric x axis: metric against a sweep axis (with markers), CDFs and time series (steps).
public struct LineChart: Sendable {
    /// How the points of a series are joined.
    public enum Style: String, Sendable {
        /// Straight segments with a marker at each point (a metric against a sweep axis).
        case markers
        /// Steps: a value holds until the next point (CDFs, sampled time series).
        case steps
    }

    /// One line: its name in the legend, its points and its colour, marker and dash (see ``Palette``).
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public var style: SeriesStyle

        public init(name: String, points: [Point], style: SeriesStyle) {
            self.name = name
            self.points = points
            self.style = style
        }

        /// A series taking the `styleIndex`-th style of ``Palette/style(_:)``.
        public init(name: String, points: [Point], styleIndex: Int) {
            self.init(name: name, points: points, style: Palette.style(styleIndex))
        }
    }

    /// A point, with an optional spread around it (the lowest and highest of the values `y` is the mean of),
    /// drawn as an error bar (markers) or a band (steps).
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var low: Double?
        public var high: Double?
        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
            (self.x, self.y, self.low, self.high) = (x, y, low, high)
        }

        /// Whether the point has a spread of nonzero width to draw.
        var hasSpread: Bool {
            guard let low, let high else { return false }
            return high > low
        }
    }

    public var title: String
    /// The axes' labels, without their unit.
    public var xLabel: String
    public var yLabel: String
    /// The units the points' values are in ("ms", "tokens/s", "B/s", "s"; "" for none). Each axis shows its values
    /// in the unit ``UnitScale`` chooses from the data's range (or from `xUnitLargest`), named in its label.
    public var xUnit: String
    public var yUnit: String
    /// The largest magnitude the x unit is chosen for, so that a set of figures shares one unit; nil: this chart's data.
    public var xUnitLargest: Double?
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var style: Style
    public var series: [Series]
    /// Whether the y axis reaches 0 (throughput, counts); latency on a linear axis does too, fractions in 0...1 too.
    public var yIncludesZero: Bool
    /// A line under the title, e.g. the values of the axes held fixed.
    public var subtitle: String?
    /// The legend's title: what the series vary ("strategy", "instance", "buffers").
    public var legendTitle: String

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, xUnit: String = "",
                yUnit: String = "", xUnitLargest: Double? = nil, xScale: AxisScale = .linear, yScale: AxisScale = .linear,
                style: Style = .markers, yIncludesZero: Bool = true, legendTitle: String = "", series: [Series]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xUnit = xUnit
        self.yUnit = yUnit
        self.xUnitLargest = xUnitLargest
        self.xScale = xScale
        self.yScale = yScale
        self.style = style
        self.yIncludesZero = yIncludesZero
        self.legendTitle = legendTitle
        self.series = series
    }
}

/// A grouped bar chart: one group per category (e.g. an ablation's option), one bar per series in each group.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// One value per group, nil where the series has none.
        public var values: [Double?]
        public var style: SeriesStyle
        /// A short note per group, shown above the bar's value and in its tooltip (e.g. "+12%" against the first
        /// series); empty or nil for none.
        public var notes: [String?]
        /// The lowest and highest of the values each bar is the mean of, drawn as an error bar; empty or nil for none.
        public var spreads: [(low: Double, high: Double)?]

        public init(name: String, values: [Double?], style: SeriesStyle, notes: [String?] = [],
                    spreads: [(low: Double, high: Double)?] = []) {
            self.name = name
            self.values = values
            self.style = style
            self.notes = notes
            self.spreads = spreads
        }

        /// A series taking the `styleIndex`-th style of ``Palette/style(_:)``.
        public init(name: String, values: [Double?], styleIndex: Int, notes: [String?] = [],
                    spreads: [(low: Double, high: Double)?] = []) {
            self.init(name: name, values: values, style: Palette.style(styleIndex), notes: notes, spreads: spreads)
        }

        func note(_ group: Int) -> String? { group < notes.count ? notes[group] : nil }
        func spread(_ group: Int) -> (low: Double, high: Double)? { group < spreads.count ? spreads[group] : nil }
    }

    public var title: String
    public var subtitle: String?
    public var xLabel: String
    /// The value axis's label, without its unit.
    public var yLabel: String
    /// The unit of the values ("ms", "tokens/s"; "" for none), shown as ``UnitScale`` chooses from the data.
    public var yUnit: String
    public var groups: [String]
    public var series: [Series]
    /// The legend's title: what the bars of a group vary ("strategy", "victim").
    public var legendTitle: String

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, yUnit: String = "",
                groups: [String], legendTitle: String = "", series: [Series]) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yUnit = yUnit
        self.groups = groups
        self.legendTitle = legendTitle
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
        return LineChart.Series(name: name, points: kept, style: style)
    }
}
