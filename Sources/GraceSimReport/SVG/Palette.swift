/// Colours, markers and dash patterns for the series of a chart, told apart without relying on colour alone.
///
/// The colours are Okabe and Ito's palette for colour-blind readers ("Color Universal Design", 2008), ordered so
/// that the first ones contrast most on white; yellow, the weakest on white, comes last. Each series also gets its
/// own marker shape, and step lines their own dash pattern.
public enum Palette {
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// Marker shapes, in the order series use them.
    public enum Marker: Int, CaseIterable, Sendable {
        case circle, square, triangle, diamond, triangleDown, cross
    }

    /// Stroke dash patterns (SVG `stroke-dasharray`, empty for solid), in the order series use them.
    public static let dashes = ["", "7 3", "2 2", "9 3 2 3", "4 4", "1 3"]

    public static func color(_ index: Int) -> String { colors[index.nonNegativeModulo(colors.count)] }
    public static func marker(_ index: Int) -> Marker { Marker.allCases[index.nonNegativeModulo(Marker.allCases.count)] }
    public static func dash(_ index: Int) -> String { dashes[index.nonNegativeModulo(dashes.count)] }
}

extension Int {
    func nonNegativeModulo(_ n: Int) -> Int { ((self % n) + n) % n }
}
