import GraceSimStore

/// What a sweep's finished runs vary, as the report sees it: the strategies, the numeric axes (drawn as x axes)
/// and the categorical ones (drawn as groups of bars, or held fixed per figure).
///
/// `strategy` is always a series, never an axis; `seed` is averaged over (or pooled, for CDFs).
struct SweepShape {
    static let seriesAxis = "strategy"
    static let seedAxis = "seed"

    /// The finished runs, in grid order.
    let runs: [StoredRun]
    /// Strategies in order of first appearance in the grid.
    let strategies: [String]
    /// Axes other than strategy and seed that take at least two values, sorted by key.
    let varying: [String]
    /// The varying axes whose values are all numbers.
    let numeric: [String]
    /// Each varying axis's values: numeric axes ascending, the others in grid order.
    let values: [String: [String]]

    init(runs: [StoredRun]) {
        self.runs = runs.filter { $0.run.status == .finished }
            .sorted { ($0.run.sweepId, $0.run.pointIndex) < ($1.run.sweepId, $1.run.pointIndex) }
        var strategies: [String] = []
        var values: [String: [String]] = [:]
        for run in self.runs {
            if !strategies.contains(run.run.strategy) { strategies.append(run.run.strategy) }
            for (axis, value) in run.point where axis != Self.seriesAxis && axis != Self.seedAxis {
                if !(values[axis]?.contains(value) ?? false) { values[axis, default: []].append(value) }
            }
        }
        self.strategies = strategies
        varying = values.keys.filter { values[$0]!.count >= 2 }.sorted()
        numeric = varying.filter { axis in values[axis]!.allSatisfy { Double($0)?.isFinite ?? false } }
        for axis in numeric { values[axis]!.sort { Double($0)! < Double($1)! } }
        self.values = values
    }

    /// The varying axes that change independently of `axis`: those taking two or more values at some value of
    /// `axis`. Axes zipped with `axis` move with it and are left out (they are not held fixed).
    func independent(of axis: String) -> [String] {
        varying.filter { other in
            guard other != axis else { return false }
            var seen: [String: Set<String>] = [:]
            for run in runs {
                let point = run.point
                seen[point[axis] ?? "", default: []].insert(point[other] ?? "")
            }
            return seen.values.contains { $0.count >= 2 }
        }
    }

    /// `runs` split by their values of `axes`, in grid order of first appearance; each key is the values in
    /// `axes` order.
    func grouped(by axes: [String], _ runs: [StoredRun]? = nil) -> [(key: [String], runs: [StoredRun])] {
        var order: [[String]] = []
        var members: [[String]: [StoredRun]] = [:]
        for run in runs ?? self.runs {
            let point = run.point
            let key = axes.map { point[$0] ?? "" }
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(run)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// The mean of `metric` (scope `overall`) over `runs` that have it, or nil; runs are summed in grid order.
    static func mean(_ metric: String, of runs: [StoredRun]) -> Double? {
        let present = runs.compactMap { $0.metrics["overall"]?[metric] }.filter(\.isFinite)
        return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
    }

    /// The lowest and highest value of `metric` (scope `overall`) over `runs` that have it, or nil.
    static func range(_ metric: String, of runs: [StoredRun]) -> (low: Double, high: Double)? {
        let present = runs.compactMap { $0.metrics["overall"]?[metric] }.filter(\.isFinite)
        guard let low = present.min(), let high = present.max() else { return nil }
        return (low, high)
    }

    /// How many seeds the finished runs have.
    var seedCount: Int { Set(runs.map(\.run.seed)).count }

    /// How the figures combine seeds, for subtitles: "mean of 3 seeds, bars min–max" (or "band"), or "1 seed".
    func seedNote(_ spread: String) -> String {
        seedCount > 1 ? "mean of \(seedCount) seeds, \(spread) min–max" : "1 seed"
    }

    /// "axis = value, ..." for a group key, with the axes' short names (as long as it takes to tell them apart); nil
    /// when there are no axes.
    static func describe(_ axes: [String], _ key: [String]) -> String? {
        guard !axes.isEmpty else { return nil }
        return zip(axes, key).map { "\(Labels.shortAxis($0, among: axes)) = \($1)" }.joined(separator: ", ")
    }
}
