import Foundation

/// The one way gracesim writes a signed change in percent, in tables, reports and figure labels: "+3.2%",
/// "-12.0%", and "+0.0%" for a change that rounds to zero (never "-0.0%"). Locale-free, so the same number always
/// gives the same bytes.
public enum SignedPercent {
    /// `percent` (already in %, e.g. 3.2 for +3.2%) with its sign and `decimals` decimals; with `decimals` nil,
    /// one decimal below 10% and none from 10% up (for short labels). Infinities read "+inf%" and "-inf%", not a
    /// number "nan%".
    public static func string(_ percent: Double, decimals: Int? = 1) -> String {
        signed(percent, decimals: decimals) + "%"
    }

    /// The same without the "%" sign, e.g. for a range "-10.0…+0.0%".
    public static func signed(_ value: Double, decimals: Int? = 1) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "+inf" : "-inf" }
        let places = max(0, min(decimals ?? (abs(value) < 9.95 ? 1 : 0), 12))
        let text = String(format: "%+.\(places)f", value)
        // A value that rounds to zero keeps no minus sign.
        if text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return "+" + text.dropFirst() }
        return text
    }
}
