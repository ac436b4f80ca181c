import GraceSimTestSupport
import Foundation
import GraceSimStore
import GraceSimSweeps

/// Paths and small sweeps shared by the store and sweep tests.
public enum StoreFixtures {
    public static func path(_ relative: String) -> String { Repository.path(relative) }

    /// The default experiment, shortened, with `axes` (YAML text of the `axes:` mapping's body).
    public static func sweepText(name: String = "tiny", axes: String, extra: String = "") -> String {
        """
        name: \(name)
        base: \(path("Configs/experiments/default.yaml"))
        set: {workload.max_requests: 60}
        axes:
        \(axes)
        \(extra)
        """
    }

    /// Eight axes of ten values each (10⁸ points), all valid on the default experiment with fixed lengths, so
    /// that each point loads without reading a file. Digit k (from the left) of a point's 8-digit index is the
    /// position of axis k's value.
    public static let hundredMillionAxes: [(key: String, values: [String])] = [
        ("instances.0.memory_fraction", (50...59).map { "0.\($0)" }),
        ("instances.0.max_num_seqs", (16...25).map(String.init)),
        ("workload.arrivals.rate", (1...10).map(String.init)),
        ("workload.max_requests", (10...19).map(String.init)),
        ("workload.lengths.prompt", (64...73).map(String.init)),
        ("workload.lengths.output", (8...17).map(String.init)),
        ("metrics.sample_interval_s", (1...10).map(String.init)),
        ("seed", (1...10).map(String.init)),
    ]

    /// The sweep of ``hundredMillionAxes``.
    public static let hundredMillionSweep = """
        name: huge
        base: \(path("Configs/experiments/default.yaml"))
        set: {workload.lengths: {kind: fixed, prompt: 64, output: 8}}
        axes:
        \(hundredMillionAxes.map { "  \($0.key): [\($0.values.joined(separator: ", "))]" }.joined(separator: "\n"))
        """

    /// The values of the point at `index` of ``hundredMillionSweep``.
    public static func hundredMillionValues(at index: Int) -> [String] {
        let digits = String(index).count < 8 ? String(repeating: "0", count: 8 - String(index).count) + String(index) : String(index)
        return zip(hundredMillionAxes, digits).map { $0.values[Int(String($1))!] }
    }

    /// Parses a sweep given as text.
    public static func spec(_ text: String) throws -> SweepSpec {
        try SweepSpec.parse(text, file: "test-sweep.yaml")
    }
}


extension StoredRun {
    /// The overall value of `metric`.
    public func overall(_ metric: String) -> Double? { metrics["overall"]?[metric] }
}

/// The finished runs of a store as (config hash → metrics), for comparing two stores.
public func resultsByHash(_ store: ResultStore) throws -> [String: [String: [String: Double]]] {
    var out: [String: [String: [String: Double]]] = [:]
    for run in try store.runs() where run.run.status == .finished { out[run.run.configHash] = run.metrics }
    return out
}

extension RunRecord {
    /// A finished run for store tests: what a test varies is given, the rest fixed (1 s of wall and simulated
    /// time, stored "now").
    public static func finished(sweep: Int64, pointIndex: Int = 0, point: String = "{}", configHash: String, seed: Int64 = 1,
                         strategy: String = "recompute") -> RunRecord {
        RunRecord(id: nil, sweepId: sweep, pointIndex: pointIndex, point: point, config: "{}", configHash: configHash,
                  seed: seed, strategy: strategy, hardware: "gh200-96gb", status: .finished, wallSeconds: 1,
                  simulatedSeconds: 1, error: nil, finishedAt: "now")
    }
}
