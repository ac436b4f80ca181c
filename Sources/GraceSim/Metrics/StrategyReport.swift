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
    /// Width of the interval that points are thinned to.
    public let interval: SimTime
    public private(set) var points: [[Double]] = []
    private var lastValue: Double
    private var lastChange = SimTime.zero
    private var weightedSum = 0.0
    public private(set) var minimum: Double
    public private(set) var maximum: Double

    public init(initial: Double, interval: SimTime) {
        self.interval = max(interval, .nanoseconds(1))
        lastValue = initial
        minimum = initial
        maximum = initial
        points = [[0, initial]]
    }

    /// Notes that the value is `value` from `now` on.
    public mutating func set(_ value: Double, now: SimTime) {
        guard value != lastValue else { return }
        weightedSum += lastValue * Double(now.ns - lastChange.ns)
        lastChange = now
        lastValue = value
        minimum = min(minimum, value)
        maximum = max(maximum, value)
        let t = now.intervalStart(every: interval).seconds
        if let last = points.last, last[0] == t {
            points[points.count - 1] = [t, value]
        } else {
            points.append([t, value])
        }
    }

    /// Time-weighted mean over [0, end].
    public func mean(end: SimTime) -> Double {
        guard end.ns > 0 else { return lastValue }
        return (weightedSum + lastValue * Double(max(end.ns - lastChange.ns, 0))) / Double(end.ns)
    }
}
