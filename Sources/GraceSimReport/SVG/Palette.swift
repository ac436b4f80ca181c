import GraceSim

/// Colours, markers and dash patterns for the series of a chart, told apart without relying on colour alone.
///
/// The colours are Okabe and Ito's palette for colour-blind readers ("Color Universal Design", 2008). Series that
/// are strategies take a fixed style keyed by the strategy's name (``strategy(_:)``), so a strategy looks the same
/// in every figure of every report whatever order its sweep lists it in. Other series (options, instances, link
/// directions) take styles by position (``style(_:)``): first the colours that contrast most on white; yellow, the
/// weakest on white, comes last. Each series also gets its own marker shape, and step lines their own dash pattern,
/// so that a figure printed in grey still tells them apart.
public enum Palette {
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// Marker shapes, in the order series use them.
    public enum Marker: Int, CaseIterable, Sendable {
        case circle, square, triangle, diamond, triangleDown, cross, plus, star
    }

    /// Stroke dash patterns (SVG `stroke-dasharray`, empty for solid), in the order series use them.
    public static let dashes = ["", "7 3", "2 2", "9 3 2 3", "4 4", "1 3", "6 2 1 2", "12 4"]

    public static func color(_ index: Int) -> String { colors[index.nonNegativeModulo(colors.count)] }
    public static func marker(_ index: Int) -> Marker { Marker.allCases[index.nonNegativeModulo(Marker.allCases.count)] }
    public static func dash(_ index: Int) -> String { dashes[index.nonNegativeModulo(dashes.count)] }

    /// The style of the `index`-th series of a figure whose series are not strategies.
    public static func style(_ index: Int) -> SeriesStyle {
        SeriesStyle(color: color(index), marker: marker(index), dash: dash(index))
    }

    /// The five strategies gracesim ships, each with its own colour, marker and dash: recompute, the baseline, in
    /// black with circles and a solid line; remap, the strategy under study, in vermillion with diamonds.
    public static let strategies: [(name: String, style: SeriesStyle)] = [
        ("recompute", SeriesStyle(color: "#000000", marker: .circle, dash: "")),
        ("swap", SeriesStyle(color: "#E69F00", marker: .square, dash: "7 3")),
        ("pie", SeriesStyle(color: "#56B4E9", marker: .triangle, dash: "2 2")),
        ("offload", SeriesStyle(color: "#009E73", marker: .triangleDown, dash: "4 4")),
        ("remap", SeriesStyle(color: "#D55E00", marker: .diamond, dash: "9 3 2 3")),
    ]

    /// Styles left for other series of strategies (a strategy added later, a variant named in a sweep): the two
    /// Okabe–Ito colours no shipped strategy uses, each with the three markers none uses.
    public static let fallbackStyles: [SeriesStyle] = [
        SeriesStyle(color: "#0072B2", marker: .cross, dash: "1 3"),
        SeriesStyle(color: "#CC79A7", marker: .plus, dash: "6 2 1 2"),
        SeriesStyle(color: "#0072B2", marker: .star, dash: "12 4"),
        SeriesStyle(color: "#CC79A7", marker: .cross, dash: "1 3"),
        SeriesStyle(color: "#0072B2", marker: .plus, dash: "6 2 1 2"),
        SeriesStyle(color: "#CC79A7", marker: .star, dash: "12 4"),
    ]

    /// The style of strategy `name`: its fixed style, or for another name a fallback chosen by a stable hash of
    /// the name (FNV-1a, the same in every process).
    public static func strategy(_ name: String) -> SeriesStyle {
        if let known = strategies.first(where: { $0.name == name }) { return known.style }
        return fallbackStyles[fallbackSlot(name)]
    }

    /// The styles of a set of strategies, shown together: each shipped strategy its fixed style; the others their
    /// hashed fallback, except that names whose fallbacks collide take the next free one, in name order. Depends
    /// only on the set of names, never on their order.
    public static func strategies(_ names: [String]) -> [String: SeriesStyle] {
        var styles: [String: SeriesStyle] = [:]
        var taken: Set<Int> = []
        for name in Set(names).sorted() {
            if let known = strategies.first(where: { $0.name == name }) {
                styles[name] = known.style
                continue
            }
            var slot = fallbackSlot(name)
            for step in 0..<fallbackStyles.count where !taken.contains((slot + step) % fallbackStyles.count) {
                slot = (slot + step) % fallbackStyles.count
                break
            }
            taken.insert(slot)
            styles[name] = fallbackStyles[slot]
        }
        return styles
    }

    static func fallbackSlot(_ name: String) -> Int {
        Int(RandomStream.fnv1a(name) % UInt64(fallbackStyles.count))
    }
}

/// How one series is drawn: its colour, its marker (lines with markers, legends) and its dash (step lines).
public struct SeriesStyle: Sendable, Equatable {
    public var color: String
    public var marker: Palette.Marker
    public var dash: String

    public init(color: String, marker: Palette.Marker, dash: String) {
        (self.color, self.marker, self.dash) = (color, marker, dash)
    }
}

extension Int {
    func nonNegativeModulo(_ n: Int) -> Int { ((self % n) + n) % n }
}
