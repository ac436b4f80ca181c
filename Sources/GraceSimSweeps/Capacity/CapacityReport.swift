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
        if result.knob.seeksSteadyState {
            out += "  measured at steady state: after a warm-up of the first \(CapacityFormat.number(ExperimentCapacity.warmupFraction * 100))% "
                + "of each run's requests, runs extended up to \(result.maxExtension)x the experiment's length\n"
        } else {
            out += "  a trace replay is measured whole: its arrivals are not stationary, so no steady state is sought\n"
        }
        out += "  goodput: \(value("requests_per_s", 3)) requests/s, \(value("output_tokens_per_s", 1)) output tokens/s\n"
        for prefix in ["ttft", "tbt", "e2e"] {
            out += "  \(prefix) ms: mean \(value("\(prefix)_mean_ms")), p50 \(value("\(prefix)_p50_ms")), "
                + "p90 \(value("\(prefix)_p90_ms")), p99 \(value("\(prefix)_p99_ms"))\n"
        }
        out += "  requests: \(value("requests_finished", 0)) finished of \(value("requests_arrived", 0)) arrived, "
            + "\(value("requests_rejected", 0)) rejected; preemptions \(value("preemptions", 0)); "
            + "KV peak \(value("kv_peak_utilization", 3))\n\n"
        let names = result.objectives.map(\.metric)
        var rows = [[result.knob.key, "SLOs", "requests"] + names]
        for point in result.tried {
            rows.append([CapacityFormat.number(point.value), verdict(point, result.objectives), point.requests.map(String.init) ?? "-"]
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
        let unsteady = result.tried.filter { $0.steadyState?.isSteady == false }
        if !unsteady.isEmpty {
            out += "points that did not reach steady state (unsteady counts as failing):\n"
            for point in unsteady {
                out += "  \(CapacityFormat.number(point.value)): \(point.steadyState?.problem ?? "") (\(point.requests ?? 0) requests)\n"
            }
        }
        return out
    }

    /// `pass`, `fail` (an objective missed), or `unsteady` (every objective met, but the run did not reach a steady
    /// state in the longest run allowed).
    static func verdict(_ point: CapacitySearch.Point, _ objectives: [MetricBound]) -> String {
        if point.passed { return "pass" }
        let held = zip(objectives, point.metrics).allSatisfy { $0.holds($1.value) }
        return held && point.steadyState?.isSteady == false ? "unsteady" : "fail"
    }

    /// The result as pretty-printed JSON with sorted keys (numbers that are not finite become strings).
    public static func json(_ result: ExperimentCapacity.Result) throws -> String {
        struct Objective: Encodable { var metric: String; var bound: Double; var direction: String }
        struct Point: Encodable {
            var value: Double
            var passed: Bool
            var verdict: String
            var requests: Int?
            var steady: Bool?
            var steadyStateProblem: String?
            var metrics: [String: Double]
            enum CodingKeys: String, CodingKey {
                case value, passed, verdict, requests, steady, metrics
                case steadyStateProblem = "steady_state_problem"
            }
            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(value, forKey: .value)
                try container.encode(passed, forKey: .passed)
                try container.encode(verdict, forKey: .verdict)
                try container.encode(requests, forKey: .requests)
                try container.encode(steady, forKey: .steady)
                try container.encode(steadyStateProblem, forKey: .steadyStateProblem)
                try container.encode(metrics, forKey: .metrics)
            }
        }
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
                Point(value: point.value, passed: point.passed, verdict: verdict(point, result.objectives), requests: point.requests,
                      steady: point.steadyState?.isSteady, steadyStateProblem: point.steadyState?.problem,
                      metrics: Dictionary(point.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}
