import Foundation
import GraceSim

/// The paper's style of table, one per sweep: for each point of the sweep's other axes, each strategy (or each
/// value of the one strategy option an ablation varies) with its metrics averaged over the seeds, their spread,
/// and the change of the mean in % against a baseline.
///
/// The compared axis of a sweep is `strategy` when it varies, else the first varying `strategy.*` option (in key
/// order), else `strategy` with its one value. The baseline is the requested value when the sweep has it, else
/// `recompute` when it is on the compared axis, else the compared axis's first value in grid order. Seeds (the
/// `seed` axis) are averaged in grid order; the spread is the minimum and maximum over the seeds.
public struct Comparison: Sendable {
    public static let defaultMetrics = ["itl_p99_ms", "ttft_p99_ms", "output_tokens_per_s"]

    /// ``defaultMetrics`` for `runs`: a database written before latencies took vLLM's names has `tbt_p99_ms`, the
    /// same figure, where newer ones have `itl_p99_ms`.
    public static func defaultMetrics(for runs: [StoredRun]) -> [String] {
        MetricCatalog.haveVLLMNames(runs) ? defaultMetrics : defaultMetrics.map { $0 == "itl_p99_ms" ? "tbt_p99_ms" : $0 }
    }

    /// One metric over a row's runs (its seeds).
    public struct Summary: Sendable, Equatable {
        public var mean: Double
        public var minimum: Double
        public var maximum: Double
        /// How many runs have the metric.
        public var count: Int
    }

    /// One value of the compared axis at one point of the other axes.
    public struct Row: Sendable {
        /// The varying axes' values, in ``Table/axes`` order.
        public var point: [String]
        public var strategy: String
        /// The compared axis's value (the strategy itself when the compared axis is `strategy`).
        public var variant: String
        /// The seeds averaged, in grid order.
        public var seeds: [Int64]
        /// One per metric; nil when no run of the row has it.
        public var values: [Summary?]
        /// Change of the mean against the baseline's mean in %, one per metric; nil for the baseline itself, and
        /// without a baseline row or when the baseline's mean is 0.
        public var changes: [Double?]
        public var isBaseline: Bool
    }

    /// One sweep's table.
    public struct Table: Sendable {
        public var sweep: String
        /// The axes that vary in the sweep, other than the compared one and `seed`, in key order.
        public var axes: [String]
        /// Axes with a single value in the sweep (shown once, not as columns), in key order.
        public var fixed: [AxisValue]
        /// `strategy` or a `strategy.*` option key.
        public var comparedAxis: String
        /// The compared axis's value the others are measured against; nil when it has one value only.
        public var baseline: String?
        public var rows: [Row]
    }

    /// An axis key and its value's text.
    public struct AxisValue: Sendable, Equatable {
        public var axis: String
        public var value: String

        public init(axis: String, value: String) {
            self.axis = axis
            self.value = value
        }
    }

    public var metrics: [String]
    public var scope: String
    /// One per sweep, in the order of the sweeps' first runs.
    public var tables: [Table]

    /// Builds the tables from the finished runs of `runs` (failed runs are left out).
    /// - Parameters:
    ///   - baseline: the compared axis's value to measure against, where a sweep has it.
    ///   - metrics: the metrics to show; nil for ``defaultMetrics(for:)``.
    public init(runs: [StoredRun], baseline: String? = nil, metrics: [String]? = nil, scope: String = "overall") {
        let metrics = metrics ?? Self.defaultMetrics(for: runs)
        self.metrics = metrics
        self.scope = scope
        let finished = runs.filter { $0.run.status == .finished }
            .sorted { ($0.run.sweepId, $0.run.pointIndex) < ($1.run.sweepId, $1.run.pointIndex) }
        var sweeps: [Int64] = []
        for run in finished where !sweeps.contains(run.run.sweepId) { sweeps.append(run.run.sweepId) }
        tables = sweeps.map { id in
            Self.table(finished.filter { $0.run.sweepId == id }, baseline: baseline, metrics: metrics, scope: scope)
        }
    }

    /// The table of one sweep's finished runs, in grid order.
    static func table(_ runs: [StoredRun], baseline requested: String?, metrics: [String], scope: String) -> Table {
        let points = runs.map(\.point)
        var keys: [String] = []
        for point in points { for key in point.keys.sorted() where key != "seed" && !keys.contains(key) { keys.append(key) } }
        keys.sort()
        func distinct(_ key: String) -> [String] {
            var values: [String] = []
            for point in points where !values.contains(point[key] ?? "") { values.append(point[key] ?? "") }
            return values
        }
        let varying = keys.filter { distinct($0).count > 1 }
        let compared = varying.contains("strategy") ? "strategy" : varying.first { $0.hasPrefix("strategy.") } ?? "strategy"
        let axes = varying.filter { $0 != compared }
        let fixed = keys.filter { !varying.contains($0) && $0 != compared }.map { AxisValue(axis: $0, value: points.first?[$0] ?? "") }
        func variant(_ i: Int) -> String { compared == "strategy" ? runs[i].run.strategy : points[i][compared] ?? "" }

        var variants: [String] = []
        for i in runs.indices where !variants.contains(variant(i)) { variants.append(variant(i)) }
        var baseline: String?
        if variants.count > 1 {
            if let requested, variants.contains(requested) {
                baseline = requested
            } else if compared == "strategy", variants.contains("recompute") {
                baseline = "recompute"
            } else {
                baseline = variants.first
            }
        }

        var groups: [[String]] = []
        var members: [[String]: [Int]] = [:]
        for i in runs.indices {
            let key = axes.map { points[i][$0] ?? "" }
            if members[key] == nil { groups.append(key) }
            members[key, default: []].append(i)
        }
        var rows: [Row] = []
        for key in groups {
            let group = members[key]!
            var order: [String] = []
            for i in group where !order.contains(variant(i)) { order.append(variant(i)) }
            if let baseline, order.contains(baseline) { order = [baseline] + order.filter { $0 != baseline } }
            func summaries(_ name: String) -> [Summary?] {
                let chosen = group.filter { variant($0) == name }
                return metrics.map { metric in summary(chosen.compactMap { runs[$0].metrics[scope]?[metric] }) }
            }
            let base = baseline.flatMap { order.contains($0) ? summaries($0) : nil }
            for name in order {
                let chosen = group.filter { variant($0) == name }
                let values = summaries(name)
                let isBaseline = name == baseline
                let changes: [Double?] = values.indices.map { m in
                    guard !isBaseline, let value = values[m], let old = base?[m], old.mean != 0 else { return nil }
                    return (value.mean - old.mean) / abs(old.mean) * 100
                }
                rows.append(Row(point: key, strategy: runs[chosen[0]].run.strategy, variant: name,
                                seeds: chosen.map { runs[$0].run.seed }, values: values, changes: changes, isBaseline: isBaseline))
            }
        }
        return Table(sweep: runs.first?.sweep ?? "", axes: axes, fixed: fixed, comparedAxis: compared, baseline: baseline, rows: rows)
    }

    /// Mean, minimum and maximum of `values`, summed in the order given; nil for none.
    static func summary(_ values: [Double]) -> Summary? {
        guard let first = values.first else { return nil }
        var sum = 0.0, low = first, high = first
        for value in values {
            sum += value
            low = min(low, value)
            high = max(high, value)
        }
        return Summary(mean: sum / Double(values.count), minimum: low, maximum: high, count: values.count)
    }
}

extension Comparison {
    /// Decimals for a whole column of values, from its largest magnitude: three significant digits for the
    /// largest (0 decimals from 100 up, 1 from 10, 2 from 1, 3 from 0.1, ...), at most 6.
    public static func decimals(forColumn values: [Double]) -> Int {
        let largest = values.filter(\.isFinite).map(abs).max() ?? 0
        guard largest > 0 else { return 0 }
        return max(0, min(6, 2 - Int(floor(log10(largest)))))
    }

    /// `value` with exactly `decimals` decimals, locale-free, never "-0".
    public static func fixed(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(max(0, min(decimals, 12)))f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
        return text
    }

    /// The table's column label of each of `keys`: the shortest tail of dot-separated components that no other
    /// key shares (`instances.0.memory_fraction` and `instances.1.memory_fraction` keep their index).
    public static func shortLabels(_ keys: [String]) -> [String] {
        let parts = keys.map { $0.split(separator: ".").map(String.init) }
        return parts.indices.map { i in
            for length in 1...max(1, parts[i].count) {
                let tail = parts[i].suffix(length)
                let clash = parts.indices.contains { j in j != i && parts[j].suffix(length) == tail }
                if !clash { return tail.joined(separator: ".") }
            }
            return keys[i]
        }
    }

    /// A line describing how a table's numbers were made: the fixed axes, the seeds and the baseline.
    public static func caption(_ table: Table) -> String {
        var parts: [String] = []
        if !table.fixed.isEmpty { parts.append(table.fixed.map { "\($0.axis)=\($0.value)" }.joined(separator: ", ")) }
        let counts = Set(table.rows.map(\.seeds.count)).sorted()
        let n = counts.count == 1 ? "\(counts[0])" : "\(counts.first ?? 0)–\(counts.last ?? 0)"
        parts.append(counts.last ?? 0 > 1 ? "mean of \(n) seeds, ± half their min–max range" : "\(n == "1" ? "one seed" : "\(n) seeds")")
        if let baseline = table.baseline {
            parts.append("change of the mean vs \(table.comparedAxis)=\(baseline) at the same point")
        }
        return parts.joined(separator: "; ")
    }
}

extension Comparison {
    /// Checks options named by the user against what `runs` hold: a `baseline` that is no strategy (nor value of
    /// a strategy option axis) of theirs, a `scope` none of their metrics has, or a metric absent from that scope
    /// would silently give an empty table.
    /// - Throws: ``StoreError`` naming the option, the value and the known values, on one line.
    public static func validate(runs: [StoredRun], file: String, baseline: String? = nil, scope: String? = nil,
                                metrics: [String] = []) throws {
        let finished = runs.filter { $0.run.status == .finished }
        func refuse(_ option: String, _ value: String, _ what: String, _ known: Set<String>) -> StoreError {
            StoreError(file: file, "\(option) \"\(value)\" is not \(what) in this database (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let baseline {
            var values = Set(finished.map(\.run.strategy))
            for run in finished { for (axis, value) in run.point where axis.hasPrefix("strategy.") { values.insert(value) } }
            guard values.contains(baseline) else { throw refuse("--baseline", baseline, "a strategy or strategy option value", values) }
        }
        let scopes = Set(finished.flatMap(\.metrics.keys))
        if let scope, !scopes.contains(scope) { throw refuse("--scope", scope, "a scope", scopes) }
        let names = Set(finished.flatMap { $0.metrics[scope ?? "overall"]?.keys.map { $0 } ?? [] })
        for metric in metrics where !names.contains(metric) {
            throw refuse("--metric", metric, "a metric of scope \(scope ?? "overall")", names)
        }
    }
}

extension Comparison.Table {
    /// Decimals of each metric's column (means and spreads alike), from the column's largest mean.
    public var decimals: [Int] {
        let count = rows.first?.values.count ?? 0
        return (0..<count).map { m in Comparison.decimals(forColumn: rows.compactMap { $0.values[m]?.mean }) }
    }

    /// Whether any row averages more than one seed (else the spread columns are left out of the text tables).
    public var showsSpread: Bool { rows.contains { $0.seeds.count > 1 } }

    /// The cells of a row as the text tables show them, per metric: the mean and half the min–max range (with the
    /// column's decimals, the range as "±x") and the change against the baseline ("" for the baseline itself and
    /// where there is none).
    public func cells(_ row: Comparison.Row) -> [(mean: String, spread: String, change: String)] {
        let decimals = self.decimals
        return row.values.indices.map { m in
            guard let value = row.values[m] else { return ("", "", "") }
            let spread = "±" + Comparison.fixed((value.maximum - value.minimum) / 2, decimals: decimals[m])
            return (Comparison.fixed(value.mean, decimals: decimals[m]), spread, row.changes[m].map { SignedPercent.string($0) } ?? "")
        }
    }

    /// The row's key cells: the varying axes' values, then the compared axis's value.
    public func keyCells(_ row: Comparison.Row) -> [String] { row.point + [row.variant] }

    /// Labels of the key columns, short (``Comparison/shortLabels(_:)``) or as the full axis keys.
    public func keyLabels(short: Bool) -> [String] {
        let keys = axes + [comparedAxis]
        return short ? Comparison.shortLabels(keys) : keys
    }
}
