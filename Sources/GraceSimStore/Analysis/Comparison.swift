/// The paper's style of table: for each point of the axes other than strategy, each strategy's metrics and their
/// change in % against a baseline strategy.
public struct Comparison: Sendable {
    public static let defaultMetrics = ["tbt_p99_ms", "ttft_p99_ms", "output_tokens_per_s"]

    /// One strategy at one point of the other axes.
    public struct Row: Sendable {
        /// The other axes' values, in `axes` order.
        public var point: [String]
        public var strategy: String
        /// One per metric; nil when the run lacks it.
        public var values: [Double?]
        /// Change against the baseline in %, one per metric; nil for the baseline itself or without a baseline run.
        public var changes: [Double?]
    }

    /// The axes other than strategy, in the sweep's order.
    public var axes: [String]
    public var metrics: [String]
    public var baseline: String
    public var scope: String
    public var rows: [Row]

    /// Builds the table from the finished runs of `runs` (failed runs are left out).
    public init(runs: [StoredRun], baseline: String, metrics: [String] = Comparison.defaultMetrics, scope: String = "overall") {
        self.baseline = baseline
        self.metrics = metrics
        self.scope = scope
        let finished = runs.filter { $0.run.status == .finished }
        var axes: [String] = []
        for run in finished {
            for axis in run.point.keys.sorted() where axis != "strategy" && !axes.contains(axis) { axes.append(axis) }
        }
        self.axes = axes
        var groups: [[String]] = []
        var members: [[String]: [StoredRun]] = [:]
        for run in finished.sorted(by: { ($0.run.sweepId, $0.run.pointIndex) < ($1.run.sweepId, $1.run.pointIndex) }) {
            let point = run.point
            let key = axes.map { point[$0] ?? "" }
            if members[key] == nil { groups.append(key) }
            members[key, default: []].append(run)
        }
        var rows: [Row] = []
        for key in groups {
            let group = members[key]!
            let base = group.first { $0.run.strategy == baseline }
            var strategies: [String] = []
            for run in group where !strategies.contains(run.run.strategy) { strategies.append(run.run.strategy) }
            strategies = strategies.filter { $0 == baseline } + strategies.filter { $0 != baseline }
            for strategy in strategies {
                let run = group.first { $0.run.strategy == strategy }!
                let values = metrics.map { run.metrics[scope]?[$0] }
                let changes: [Double?] = metrics.indices.map { i in
                    guard strategy != baseline, let base, let value = values[i], let old = base.metrics[scope]?[metrics[i]], old != 0 else { return nil }
                    return (value - old) / abs(old) * 100
                }
                rows.append(Row(point: key, strategy: strategy, values: values, changes: changes))
            }
        }
        self.rows = rows
    }
}

extension Comparison {
    /// Checks options named by the user against what `runs` hold: a `baseline` that is no strategy of theirs, a
    /// `scope` none of their metrics has, or a metric absent from that scope would silently give an empty table.
    /// - Throws: ``StoreError`` naming the option, the value and the known values, on one line.
    public static func validate(runs: [StoredRun], file: String, baseline: String? = nil, scope: String? = nil,
                                metrics: [String] = []) throws {
        let finished = runs.filter { $0.run.status == .finished }
        func refuse(_ option: String, _ value: String, _ what: String, _ known: Set<String>) -> StoreError {
            StoreError(file: file, "\(option) \"\(value)\" is not \(what) in this database (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let baseline {
            let strategies = Set(finished.map(\.run.strategy))
            guard strategies.contains(baseline) else { throw refuse("--baseline", baseline, "a strategy", strategies) }
        }
        let scopes = Set(finished.flatMap(\.metrics.keys))
        if let scope, !scopes.contains(scope) { throw refuse("--scope", scope, "a scope", scopes) }
        let names = Set(finished.flatMap { $0.metrics[scope ?? "overall"]?.keys.map { $0 } ?? [] })
        for metric in metrics where !names.contains(metric) {
            throw refuse("--metric", metric, "a metric of scope \(scope ?? "overall")", names)
        }
    }
}
