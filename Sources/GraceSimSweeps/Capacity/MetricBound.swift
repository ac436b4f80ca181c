import GraceSimStore
import Foundation

/// One service-level objective of a capacity search (`--slo ttft_p99_ms=500`): a stored metric of a run (a name from ``MetricCatalog/values(_:)``) and the
/// bound it must keep.
///
/// Latencies (`_ms`), counts and fractions must stay at or below their bound; throughputs (`_per_s`) at or
/// above it. A value that is not a number never meets an objective.
public struct MetricBound: Sendable, Equatable, CustomStringConvertible {
    public var metric: String
    public var bound: Double

    public init(metric: String, bound: Double) {
        self.metric = metric
        self.bound = bound
    }

    /// Whether the metric must be at most the bound (true) or at least it (false, throughputs).
    public var isUpperBound: Bool { MetricCatalog.direction(of: metric) != .higherIsBetter }

    /// Whether `value` meets this objective.
    public func holds(_ value: Double) -> Bool {
        isUpperBound ? value <= bound : value >= bound
    }

    /// `ttft_p99_ms ≤ 500`.
    public var description: String { "\(metric) \(isUpperBound ? "≤" : "≥") \(CapacityFormat.number(bound))" }

    /// Parses `metric=bound[,metric=bound...]`, e.g. `ttft_p99_ms=500,tbt_p99_ms=100`; each bound a finite
    /// number, each metric named once. Names are checked against a run's metrics later, by the search.
    /// - Throws: ``StoreError`` for `<command line>` saying what was expected.
    public static func parseList(_ text: String) throws -> [MetricBound] {
        let expected = "--slo: expected metric=bound[,metric=bound...] such as ttft_p99_ms=500,tbt_p99_ms=100"
        var objectives: [MetricBound] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let goodput = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if !item.contains("="), goodput.count == 2, ["ttft", "tpot", "e2el"].contains(goodput[0]) {
                throw StoreError(file: "<command line>", "--slo: \"\(item)\" is vLLM's --goodput form, a limit on each request; here an SLO bounds a metric of the run: "
                                 + "\(goodput[0])_p99_ms=\(goodput[1]) (or put slo: {\(goodput[0])_ms: \(goodput[1])} in the experiment and bound goodput_requests_per_s)")
            }
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            let metric = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !metric.isEmpty else {
                throw StoreError(file: "<command line>", "\(expected), found \"\(item)\"")
            }
            let boundText = parts[1].trimmingCharacters(in: .whitespaces)
            guard let bound = Double(boundText), bound.isFinite else {
                throw StoreError(file: "<command line>", "--slo: expected a finite number as the bound of \(metric), found \"\(boundText)\"")
            }
            guard !objectives.contains(where: { $0.metric == metric }) else {
                throw StoreError(file: "<command line>", "--slo: \(metric) is named twice")
            }
            objectives.append(MetricBound(metric: metric, bound: bound))
        }
        return objectives
    }
}

/// Number formatting shared by the capacity search's messages and tables.
enum CapacityFormat {
    /// The shortest text that reads back as `value` (`2.5`, `40`, `0.3125`).
    static func number(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
