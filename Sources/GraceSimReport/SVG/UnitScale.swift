/// A unit chosen to suit the data: values in a base unit are multiplied by `factor` and labelled `unit`, so that
/// an axis reads 1.5 s rather than 1500 ms, or 12 k tokens/s rather than 12000 tokens/s.
///
/// Milliseconds turn into seconds from 1000 ms; bytes take SI prefixes glued to the unit (MB/s, GB/s); any other
/// unit (tokens/s, requests/s, tokens, blocks) takes "k ", "M " or "G " before it from 1000, 10^6 and 10^9.
/// Seconds and unitless values stay as they are.
public struct UnitScale: Sendable, Equatable {
    /// The unit to print ("" for none).
    public var unit: String
    /// What a value in the base unit is multiplied by.
    public var factor: Double

    public init(unit: String, factor: Double) {
        (self.unit, self.factor) = (unit, factor)
    }

    /// The unit for values given in `base` whose largest magnitude is `largest`.
    public static func choose(_ base: String, largest: Double) -> UnitScale {
        let magnitude = largest.isFinite ? abs(largest) : 0
        switch base {
        case "", "s", "fraction":
            return UnitScale(unit: base, factor: 1)
        case "ms":
            return magnitude >= 1000 ? UnitScale(unit: "s", factor: 1e-3) : UnitScale(unit: "ms", factor: 1)
        default:
            let glued = base.hasPrefix("B")
            for (threshold, prefix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= threshold {
                if prefix == "T" && !glued { continue }
                return UnitScale(unit: prefix + (glued ? "" : " ") + base, factor: 1 / threshold)
            }
            return UnitScale(unit: base, factor: 1)
        }
    }

    /// `label (unit)`, or `label` alone without a unit.
    public func label(_ label: String) -> String {
        unit.isEmpty ? label : "\(label) (\(unit))"
    }
}
