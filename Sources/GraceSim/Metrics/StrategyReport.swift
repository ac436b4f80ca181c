/// What a memory strategy did on one instance: named counters and time series, so that each strategy reports
/// its own quantities (swaps, remapped layers, offloaded requests) without the report type knowing them all.
public struct StrategyReport: Codable, Sendable, Equatable {
    /// Named totals, e.g. `swaps_out`, `remapped_layers_max`.
    public var counters: [String: Double]
    /// Named time series as [seconds, value] pairs, e.g. `remapped_layers`.
    public var series: [String: [[Double]]]

    public init(counters: [String: Double] = [:], series: [String: [[Double]]] = [:]) {
        self.counters = counters
        self.series = series
    }
}

/// A value sampled over time: its minimum, time-weighted mean and maximum, and one point per change
/// (thinned to at most one per interval).
public struct StepSeries: Sendable {
    public let intervalNs: Int64
    public private(set) var points: [[Double]] = []
    private var lastValue: Double
    private var lastChangeNs: Int64 = 0
    private var weightedSum = 0.0
    public private(set) var minimum: Double
    public private(set) var maximum: Double

    public init(initial: Double, intervalNs: Int64) {
        self.intervalNs = max(intervalNs, 1)
        lastValue = initial
        minimum = initial
        maximum = initial
        points = [[0, initial]]
    }

    /// Notes that the value is `value` from `nowNs` on.
    public mutating func set(_ value: Double, nowNs: Int64) {
        guard value != lastValue else { return }
        weightedSum += lastValue * Double(nowNs - lastChangeNs)
        lastChangeNs = nowNs
        lastValue = value
        minimum = min(minimum, value)
        maximum = max(maximum, value)
        let t = Double(nowNs / intervalNs * intervalNs) / 1e9
        if let last = points.last, last[0] == t {
            points[points.count - 1] = [t, value]
        } else {
            points.append([t, value])
        }
    }

    /// Time-weighted mean over [0, endNs].
    public func mean(endNs: Int64) -> Double {
        guard endNs > 0 else { return lastValue }
        return (weightedSum + lastValue * Double(max(endNs - lastChangeNs, 0))) / Double(endNs)
    }
}
