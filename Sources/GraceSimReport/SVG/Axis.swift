import Foundation

/// How an axis maps values to positions.
public enum AxisScale: String, Sendable {
    case linear, log
}

/// One axis of a chart: its label (with the unit), scale, extent and ticks, chosen at "nice" numbers.
///
/// Axes end at the data: a linear axis has ticks at multiples of a step of 1, 2 or 5 × 10^k (Heckbert's "nice
/// numbers", Graphics Gems, 1990) and ends at the data rounded out to a whole step when that adds at most a tenth
/// of the range, else to a fifth of a step; a log axis ends at the data rounded out to 1, 2 or 5 × 10^k, with ticks
/// at 1, 2 and 5 × 10^k when it covers at most two decades and at every decade (or every few) otherwise.
public struct Axis: Sendable, Equatable {
    public var label: String
    public var scale: AxisScale
    /// The value at the axis's start and end.
    public var lower: Double
    public var upper: Double
    /// The values with a tick and a label, ascending, all within `lower...upper`.
    public var ticks: [Double]
    /// The spacing used to format tick labels (the linear step, or the smallest tick on a log axis).
    public var labelStep: Double

    /// An axis covering `dataMin...dataMax`; `includeZero` extends a linear axis to 0 (for bars and throughput).
    /// A log axis needs positive data: non-positive bounds fall back to a linear axis.
    public init(label: String, scale: AxisScale = .linear, dataMin: Double, dataMax: Double,
                includeZero: Bool = false, targetTicks: Int = 6) {
        self.label = label
        var low = dataMin.isFinite ? min(dataMin, dataMax) : 0
        var high = dataMax.isFinite ? max(dataMin, dataMax) : 1
        if scale == .log, low > 0 {
            self.scale = .log
            let ticks = NiceNumbers.logTicks(low, high)
            (lower, upper, self.ticks) = (ticks.lower, ticks.upper, ticks.ticks)
            labelStep = self.ticks.first ?? lower
            return
        }
        self.scale = .linear
        if includeZero { low = min(low, 0); high = max(high, 0) }
        let ticks = NiceNumbers.linearTicks(low, high, count: targetTicks)
        (lower, upper, self.ticks, labelStep) = (ticks.lower, ticks.upper, ticks.ticks, ticks.step)
    }

    /// Where `value` falls between `lower` (0) and `upper` (1); values outside give results outside 0...1.
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// Whether `value` can be drawn on this axis (finite, and positive on a log axis).
    public func accepts(_ value: Double) -> Bool {
        value.isFinite && (scale == .linear || value > 0)
    }

    /// The label of a tick.
    public func tickLabel(_ value: Double) -> String {
        switch scale {
        case .linear: return SVGText.tick(value, step: labelStep)
        case .log: return Self.logLabel(value)
        }
    }

    /// A log tick's label: decimals down to 0.0001 (1, 0.1, 0.01, 0.005), powers of ten below (1e-5, 2e-6).
    static func logLabel(_ value: Double) -> String {
        guard value > 0, value < 0.99e-4 else { return SVGText.tick(value, step: value) }
        let exponent = Int(floor(log10(value) + 1e-9))
        let mantissa = (value / pow(10, Double(exponent))).rounded()
        return "\(SVGText.fixed(mantissa, decimals: 0))e\(exponent)"
    }
}

/// Heckbert's nice numbers for axis ticks.
public enum NiceNumbers {
    /// The nice number (1, 2, 5 or 10 × 10^k) nearest `x` (`round`) or not below it.
    public static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let base = pow(10, exponent)
        let fraction = x / base
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * base
    }

    /// About `count` ticks for `low...high`, at multiples of a nice step. The extent is the data's, rounded out
    /// to a whole step where that adds at most a tenth of the range (147 → 150, 0.95 → 1), else to a fifth of a
    /// step (61.3 → 65 with steps of 20), so that no axis runs far past its data. A zero-width range is widened
    /// around its value first (to 0...1 at zero).
    public static func linearTicks(_ low: Double, _ high: Double, count: Int = 6) -> (lower: Double, upper: Double, step: Double, ticks: [Double]) {
        var (low, high) = (low, high)
        if high - low <= 1e-12 * max(1, abs(high)) {
            // All zero (an idle counter, a series of one sample at t = 0): show 0...1 rather than -1...1.
            if low == 0 { return linearTicks(0, 1, count: count) }
            let pad = abs(low) * 0.1
            low -= pad
            high += pad
        }
        let range = nice(high - low, round: false)
        let step = nice(range / Double(max(1, count - 1)), round: true)
        let minor = nice(step / 5, round: true)
        let slack = (high - low) * 0.1
        func end(_ value: Double, up: Bool) -> Double {
            let whole = up ? ceil(value / step - 1e-9) * step : floor(value / step + 1e-9) * step
            if abs(whole - value) <= slack { return snap(whole, step: minor) }
            let fine = up ? ceil(value / minor - 1e-9) * minor : floor(value / minor + 1e-9) * minor
            return snap(fine, step: minor)
        }
        let lower = end(low, up: false), upper = end(high, up: true)
        var ticks: [Double] = []
        var i = ceil(lower / step - 1e-9)
        while i * step <= upper + step * 1e-6 {
            ticks.append(snap(i * step, step: step))
            i += 1
        }
        return (lower, upper, step, ticks)
    }

    /// Ticks for `low...high` (both positive) on a log axis ending at the data rounded out to 1, 2 or 5 × 10^k:
    /// 1, 2 and 5 × 10^k inside it when it spans at most two decades, else the decades inside it (every second or
    /// third beyond seven or fourteen decades).
    public static func logTicks(_ low: Double, _ high: Double) -> (lower: Double, upper: Double, ticks: [Double]) {
        let lower = oneTwoFive(low, up: false)
        var upper = oneTwoFive(high, up: true)
        if upper <= lower { upper = oneTwoFive(lower * 1.5, up: true) }
        let decades = log10(upper / lower)
        let first = Int(floor(log10(lower) + 1e-9)), last = Int(ceil(log10(upper) - 1e-9))
        let every = decades > 14 ? 3 : decades > 7 ? 2 : 1
        var ticks: [Double] = []
        for k in stride(from: first, through: last, by: 1) {
            let decade = pow(10, Double(k))
            let candidates = decades <= 2 ? [decade, 2 * decade, 5 * decade] : (k - first) % every == 0 ? [decade] : []
            ticks += candidates.filter { $0 >= lower * (1 - 1e-9) && $0 <= upper * (1 + 1e-9) }
        }
        return (lower, upper, ticks)
    }

    /// The nearest 1, 2 or 5 × 10^k at or below `value` (or at or above it, `up`).
    static func oneTwoFive(_ value: Double, up: Bool) -> Double {
        let exponent = floor(log10(value))
        let base = pow(10, exponent)
        let fraction = value / base
        let steps: [Double] = [1, 2, 5, 10]
        let chosen = up ? steps.first { $0 >= fraction * (1 - 1e-9) }! : steps.last { $0 <= fraction * (1 + 1e-9) }!
        return exponent < 0 ? chosen / pow(10, -exponent) : chosen * base
    }

    /// `value` rounded to a whole number of `step`s, so that 0.1 + 0.2 prints as 0.3.
    static func snap(_ value: Double, step: Double) -> Double {
        let snapped = (value / step).rounded() * step
        let decimals = SVGText.decimals(for: step)
        let scale = pow(10, Double(decimals))
        let result = (snapped * scale).rounded() / scale
        return result == 0 ? 0 : result
    }
}
