import Foundation

/// Measured against simulated latencies of one replayed run: one row per metric and statistic.
public struct ReplayComparison: Sendable, Codable, Equatable {
    /// One metric and statistic, e.g. TTFT median, in `unit`.
    public struct Row: Sendable, Codable, Equatable {
        public var metric: String
        public var statistic: String
        public var unit: String
        public var real: Double
        public var simulated: Double

        public init(metric: String, statistic: String, unit: String, real: Double, simulated: Double) {
            self.metric = metric
            self.statistic = statistic
            self.unit = unit
            self.real = real
            self.simulated = simulated
        }

        /// (simulated − real) / real; nil when the real value is zero.
        public var relativeError: Double? { real != 0 ? (simulated - real) / real : nil }

        /// "TTFT median", or the metric alone when it has no statistic.
        public var label: String { statistic.isEmpty ? metric : "\(metric) \(statistic)" }
    }

    public var run: String
    public var experiment: String
    /// Requests replayed.
    public var requests: Int
    /// Replayed requests that did not finish in the simulation.
    public var unfinished: Int
    /// Whether the arrivals were the recorded ones (else drawn from the recorded rate).
    public var arrivalsRecorded: Bool
    public var rows: [Row]

    /// The row for `metric` and `statistic`, if present.
    public func row(_ metric: String, _ statistic: String = "median") -> Row? {
        rows.first { $0.metric == metric && $0.statistic == statistic }
    }

    /// The validation targets: |error| of median TPOT and of output throughput ≤ 15%, of median TTFT ≤ 25%.
    public static let targets: [(metric: String, statistic: String, bound: Double)] = [
        ("TTFT", "median", 0.25), ("TPOT", "median", 0.15), ("output throughput", "", 0.15),
    ]

    /// For each target: its row and whether the error is within the bound.
    public var targetResults: [(row: Row, bound: Double, met: Bool)] {
        Self.targets.compactMap { target in
            guard let row = row(target.metric, target.statistic), let error = row.relativeError else { return nil }
            return (row, target.bound, abs(error) <= target.bound)
        }
    }

    /// A plain-text table.
    public func text() -> String {
        var out = "run \(run) on \(experiment): \(requests) requests"
        out += arrivalsRecorded ? " at their recorded arrivals" : " at arrivals drawn from the recorded rate"
        out += unfinished > 0 ? ", \(unfinished) unfinished in the simulation\n" : "\n"
        out += "metric".padding(toLength: 26, withPad: " ", startingAt: 0)
        out += "real".leftPadded(12) + "simulated".leftPadded(12) + "error".leftPadded(9) + "\n"
        for row in rows {
            out += "\(row.label) (\(row.unit))".padding(toLength: 26, withPad: " ", startingAt: 0)
            out += Self.format(row.real).leftPadded(12) + Self.format(row.simulated).leftPadded(12)
            out += Self.percent(row.relativeError).leftPadded(9) + "\n"
        }
        return out
    }

    /// A Markdown table.
    public func markdown() -> String {
        var out = "| metric | real | simulated | error |\n|---|---:|---:|---:|\n"
        for row in rows {
            out += "| \(row.label) (\(row.unit)) | \(Self.format(row.real)) | \(Self.format(row.simulated)) | \(Self.percent(row.relativeError)) |\n"
        }
        return out
    }

    /// Four significant digits, no exponent for the magnitudes of latencies and throughputs.
    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3
        return String(format: "%.\(decimals)f", value)
    }

    public static func percent(_ error: Double?) -> String {
        guard let error else { return "n/a" }
        return SignedPercent.string(error * 100)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
