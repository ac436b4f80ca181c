import Foundation
import GraceSim

/// Text and numbers as they appear in an SVG or HTML file: XML-escaped, with fixed, locale-free formatting so
/// that the same chart always gives the same bytes.
public enum SVGText {
    /// A signed percentage for a label, "+3.2%" or "-12%" (one decimal below 10%), never "-0.0%": ``SignedPercent``.
    public static func signedPercent(_ change: Double) -> String {
        SignedPercent.string(change, decimals: nil)
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, and control characters XML 1.0 forbids dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate in pixels with two decimals (never `-0.00`).
    public static func coordinate(_ value: Double) -> String {
        fixed(value, decimals: 2)
    }

    /// `value` with exactly `decimals` decimals, `-0` written as `0`; not-a-number and infinities as `0`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return fixed(0, decimals: decimals) }
        let text = String(format: "%.\(max(0, min(decimals, 12)))f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
        return text
    }

    /// A tick label for `value` on an axis whose ticks are `step` apart: as many decimals as the step needs, and
    /// thousands as `k` (and millions as `M`) from 10 000 up, so that labels stay short.
    public static func tick(_ value: Double, step: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return tick(value / 1e6, step: step / 1e6) + "M" }
        if magnitude >= 1e4 { return tick(value / 1e3, step: step / 1e3) + "k" }
        return fixed(value, decimals: decimals(for: step))
    }

    /// A value in a short form with three significant digits, for labels on bars and in tables of charts.
    public static func short(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return short(value / 1e6) + "M" }
        if magnitude >= 1e4 { return short(value / 1e3) + "k" }
        if magnitude >= 100 || magnitude == 0 { return fixed(value, decimals: 0) }
        if magnitude >= 10 { return fixed(value, decimals: 1) }
        if magnitude >= 1 { return fixed(value, decimals: 2) }
        return fixed(value, decimals: min(6, Int((-log10(magnitude)).rounded(.up)) + 2))
    }

    /// The number of decimals that shows a multiple of `step` exactly: 0 for 5, 1 for 2.5 or 0.1, 2 for 0.05.
    static func decimals(for step: Double) -> Int {
        guard step.isFinite, step > 0 else { return 0 }
        var scaled = step
        for decimals in 0..<9 {
            if abs(scaled - scaled.rounded()) <= 1e-6 * max(1, scaled) { return decimals }
            scaled *= 10
        }
        return 9
    }
}
