import Foundation
import GraceSim

/// What moved between two results databases: runs matched by config hash, every metric compared.
public struct ResultDiff: Sendable {
    /// One metric of one run that changed by more than the tolerance.
    public struct Movement: Sendable {
        public var configHash: String
        public var label: String
        public var scope: String
        public var metric: String
        public var old: Double
        public var new: Double
        /// Relative change, as a fraction of |old| (infinite when old is 0).
        public var change: Double
        /// Whether the change is in the bad direction (higher latency, lower throughput).
        public var isRegression: Bool
    }

    public var movements: [Movement] = []
    /// Runs finished in OLD that failed in NEW (label and error): always regressions.
    public var newlyFailed: [(label: String, error: String)] = []
    /// Finished runs of OLD with no finished or failed run of the same config in NEW.
    public var missing: [String] = []
    /// Runs of NEW (finished or failed) whose config is in no run of OLD.
    public var onlyInNew: [String] = []
    /// Runs compared.
    public var matched = 0

    public var hasRegression: Bool { !newlyFailed.isEmpty || movements.contains { $0.isRegression } }
    /// Whether either side has runs the other lacks (the two databases do not hold the same grid).
    public var hasMissingRuns: Bool { !missing.isEmpty || !onlyInNew.isEmpty }

    /// Compares the finished runs of `old` with the runs of the same config in `new`.
    /// - Parameters:
    ///   - tolerance: relative change (0.02 for 2%) below which a metric counts as unchanged.
    ///   - metrics: metric names to compare (a trailing `*` matches a prefix); empty for all.
    public init(old: [StoredRun], new: [StoredRun], tolerance: Double, metrics: [String] = []) {
        var newByHash: [String: StoredRun] = [:]
        for run in new {
            if let existing = newByHash[run.run.configHash], existing.run.status == .finished { continue }
            newByHash[run.run.configHash] = run
        }
        var seen = Set<String>()
        for oldRun in old where oldRun.run.status == .finished && seen.insert(oldRun.run.configHash).inserted {
            let label = Self.label(oldRun)
            guard let newRun = newByHash[oldRun.run.configHash] else { missing.append(label); continue }
            guard newRun.run.status == .finished else {
                newlyFailed.append((label, newRun.run.error ?? "failed")); continue
            }
            matched += 1
            for scope in oldRun.metrics.keys.sorted() {
                for (metric, before) in oldRun.metrics[scope]!.sorted(by: { $0.key < $1.key }) where Self.selected(metric, metrics) {
                    guard let after = newRun.metrics[scope]?[metric] else { continue }
                    let change = before == 0 ? (after == 0 ? 0 : (after > 0 ? Double.infinity : -Double.infinity)) : (after - before) / abs(before)
                    guard abs(change) > tolerance else { continue }
                    let isRegression: Bool
                    switch MetricCatalog.direction(of: metric) {
                    case .lowerIsBetter: isRegression = after > before
                    case .higherIsBetter: isRegression = after < before
                    case .neutral: isRegression = false
                    }
                    movements.append(Movement(configHash: oldRun.run.configHash, label: label, scope: scope, metric: metric,
                                              old: before, new: after, change: change, isRegression: isRegression))
                }
            }
        }
        let oldHashes = Set(old.map(\.run.configHash))
        var seenNew = Set<String>()
        for newRun in new where !oldHashes.contains(newRun.run.configHash) && seenNew.insert(newRun.run.configHash).inserted {
            onlyInNew.append(Self.label(newRun))
        }
    }

    static func selected(_ metric: String, _ patterns: [String]) -> Bool {
        patterns.isEmpty || patterns.contains { $0.hasSuffix("*") ? metric.hasPrefix(String($0.dropLast())) : metric == $0 }
    }

    static func label(_ run: StoredRun) -> String {
        let point = run.point.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(run.sweep)[\(run.run.pointIndex)] \(point) (\(run.run.configHash))"
    }

    /// The movements as readable lines, regressions first.
    public func report() -> [String] {
        var lines: [String] = []
        for (label, error) in newlyFailed { lines.append("FAILED   \(label): \(error)") }
        for m in movements.sorted(by: { ($0.isRegression ? 0 : 1, $0.label, $0.scope, $0.metric) < ($1.isRegression ? 0 : 1, $1.label, $1.scope, $1.metric) }) {
            let percent = SignedPercent.string(m.change * 100, decimals: 2)
            let tag = m.isRegression ? "WORSE   " : (MetricCatalog.direction(of: m.metric) == .neutral ? "CHANGED " : "BETTER  ")
            lines.append("\(tag) \(m.label) \(m.scope) \(m.metric): \(Self.number(m.old)) -> \(Self.number(m.new)) (\(percent))")
        }
        for label in missing { lines.append("MISSING  \(label): not in the new database") }
        for label in onlyInNew { lines.append("ADDED    \(label): not in the old database") }
        return lines
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.4g", value)
    }
}
