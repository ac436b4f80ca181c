import Foundation
import GraceSim
import GraceSimStore

/// How `gracesim capacity` prints an ``ExperimentCapacity/Result``: a text summary or stable JSON.
public enum CapacityReport {
    /// The capacity, the goodput and main metrics there, and a table of every point tried.
    public static func text(_ result: ExperimentCapacity.Result) -> String {
        let metrics = Dictionary(result.metrics, uniquingKeysWith: { first, _ in first })
        func value(_ name: String, _ digits: Int = 2) -> String {
            String(format: "%.\(digits)f", metrics[name] ?? .nan)
        }
        let objectives = result.objectives.map(\.description).joined(separator: ", ")
        var out = "\(result.report.experiment): capacity \(result.knob.key) = \(CapacityFormat.number(result.capacity.value))\n"
        out += "  SLOs (\(result.scope)): \(objectives); tolerance \(CapacityFormat.number(result.tolerance * 100))%\n"
        out += "  goodput: \(value("requests_per_s", 3)) requests/s, \(value("output_tokens_per_s", 1)) output tokens/s\n"
        for prefix in ["ttft", "tbt", "e2e"] {
            out += "  \(prefix) ms: mean \(value("\(prefix)_mean_ms")), p50 \(value("\(prefix)_p50_ms")), "
                + "p90 \(value("\(prefix)_p90_ms")), p99 \(value("\(prefix)_p99_ms"))\n"
        }
        out += "  requests: \(value("requests_finished", 0)) finished of \(value("requests_arrived", 0)) arrived, "
            + "\(value("requests_rejected", 0)) rejected; preemptions \(value("preemptions", 0)); "
            + "KV peak \(value("kv_peak_utilization", 3))\n\n"
        let names = result.objectives.map(\.metric)
        var rows = [[result.knob.key, "SLOs"] + names]
        for point in result.tried {
            rows.append([CapacityFormat.number(point.value), point.passed ? "pass" : "fail"]
                        + point.metrics.map { String(format: "%.3f", $0.value) })
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        out += "points tried, in order:\n"
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            out += "  " + cells.joined(separator: "  ") + "\n"
        }
        return out
    }

    /// The result as pretty-printed JSON with sorted keys (numbers that are not finite become strings).
    public static func json(_ result: ExperimentCapacity.Result) throws -> String {
        struct Objective: Encodable { var metric: String; var bound: Double; var direction: String }
        struct Point: Encodable { var value: Double; var passed: Bool; var metrics: [String: Double] }
        struct Output: Encodable {
            var experiment: String
            var key: String
            var capacity: Double
            var scope: String
            var tolerance: Double
            var slos: [Objective]
            var goodputRequestsPerSecond: Double
            var metrics: [String: Double]
            var points: [Point]
            enum CodingKeys: String, CodingKey {
                case experiment, key, capacity, scope, tolerance, slos, metrics, points
                case goodputRequestsPerSecond = "goodput_requests_per_s"
            }
        }
        let output = Output(
            experiment: result.report.experiment, key: result.knob.key, capacity: result.capacity.value, scope: result.scope,
            tolerance: result.tolerance,
            slos: result.objectives.map { Objective(metric: $0.metric, bound: $0.bound, direction: $0.isUpperBound ? "at_most" : "at_least") },
            goodputRequestsPerSecond: result.goodputRequestsPerSecond,
            metrics: Dictionary(result.metrics, uniquingKeysWith: { first, _ in first }),
            points: result.tried.map { point in
                Point(value: point.value, passed: point.passed,
                      metrics: Dictionary(point.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}
