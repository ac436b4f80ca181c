import Foundation
import GraceSim

/// What moved between two results databases: runs matched by config hash (the same experiment) or by their sweep
/// point (the same axis values and seed, whatever else the configs hold: an A/B of a policy change), every metric
/// compared.
public struct ResultDiff: Sendable {
    /// How runs of the two databases are paired.
    public enum Match: String, Sendable, CaseIterable {
        /// By config hash: the same experiment after overrides (a regression check).
        case config
        /// By sweep name, axis values and seed (the sweep name is left out when each database holds one sweep):
        /// the same point of a grid whose base experiment changed (a policy A/B).
        case axes
    }

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
    /// How runs were paired.
    public var match: Match = .config
    /// Under ``Match/axes``: the config keys whose values differ between the first pair of runs compared (dotted
    /// paths, in order, with the old and new value as canonical JSON).
    public var configDifferences: [(key: String, old: String, new: String)] = []

    public var hasRegression: Bool { !newlyFailed.isEmpty || movements.contains { $0.isRegression } }
    /// Whether either side has runs the other lacks (the two databases do not hold the same grid).
    public var hasMissingRuns: Bool { !missing.isEmpty || !onlyInNew.isEmpty }

    /// Compares the finished runs of `old` with the runs of the same config in `new`.
    /// - Parameters:
    ///   - tolerance: relative change (0.02 for 2%) below which a metric counts as unchanged.
    ///   - metrics: metric names to compare (a trailing `*` matches a prefix); empty for all.
    ///   - match: how runs are paired (by config hash, or by sweep point and seed).
    public init(old: [StoredRun], new: [StoredRun], tolerance: Double, metrics: [String] = [], match: Match = .config) {
        self.match = match
        let oneSweepEach = Set(old.map(\.sweep)).count == 1 && Set(new.map(\.sweep)).count == 1
        let key = { (run: StoredRun) in Self.key(run, match: match, withSweep: !oneSweepEach) }
        var newByKey: [String: StoredRun] = [:]
        for run in new {
            if let existing = newByKey[key(run)], existing.run.status == .finished { continue }
            newByKey[key(run)] = run
        }
        var seen = Set<String>()
        for oldRun in old where oldRun.run.status == .finished && seen.insert(key(oldRun)).inserted {
            let label = Self.label(oldRun)
            guard let newRun = newByKey[key(oldRun)] else { missing.append(label); continue }
            guard newRun.run.status == .finished else {
                newlyFailed.append((label, newRun.run.error ?? "failed")); continue
            }
            if match == .axes && matched == 0 { configDifferences = Self.differences(oldRun.run.config, newRun.run.config) }
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
        let oldKeys = Set(old.map(key))
        var seenNew = Set<String>()
        for newRun in new where !oldKeys.contains(key(newRun)) && seenNew.insert(key(newRun)).inserted {
            onlyInNew.append(Self.label(newRun))
        }
    }

    /// What pairs `run` with its counterpart: its config hash, or its sweep (when `withSweep`), axis values and seed.
    static func key(_ run: StoredRun, match: Match, withSweep: Bool) -> String {
        switch match {
        case .config:
            return run.run.configHash
        case .axes:
            let point = run.point.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
            return (withSweep ? run.sweep : "") + "\u{0}" + point + "\u{0}\(run.run.seed)"
        }
    }

    /// The dotted keys whose values differ between two canonical config JSONs, in key order, with both values as
    /// JSON (`absent` where a side lacks the key).
    static func differences(_ old: String, _ new: String) -> [(key: String, old: String, new: String)] {
        func flatten(_ text: String) -> [String: String] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return [:] }
            var out: [String: String] = [:]
            func walk(_ value: Any, _ path: String) {
                if let mapping = value as? [String: Any], !mapping.isEmpty {
                    for (key, child) in mapping { walk(child, path.isEmpty ? key : "\(path).\(key)") }
                } else if let list = value as? [Any], !list.isEmpty {
                    for (index, child) in list.enumerated() { walk(child, "\(path).\(index)") }
                } else {
                    let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
                    out[path] = data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
                }
            }
            walk(object, "")
            return out
        }
        let before = flatten(old), after = flatten(new)
        return Set(before.keys).union(after.keys).sorted().compactMap { key in
            let a = before[key] ?? "absent", b = after[key] ?? "absent"
            return a == b ? nil : (key, a, b)
        }
    }

    /// The patterns of `patterns` that match no metric stored in `runs`.
    public static func unmatched(_ patterns: [String], in runs: [StoredRun]) -> [String] {
        let names = Set(runs.flatMap { $0.metrics.values.flatMap(\.keys) })
        return patterns.filter { pattern in !names.contains { selected($0, [pattern]) } }
    }

    static func selected(_ metric: String, _ patterns: [String]) -> Bool {
        patterns.isEmpty || patterns.contains { $0.hasSuffix("*") ? metric.hasPrefix(String($0.dropLast())) : metric == $0 }
    }

    static func label(_ run: StoredRun) -> String {
        let point = run.point.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(run.sweep)[\(run.run.pointIndex)] \(point) (\(run.run.configHash))"
    }

    /// The movements as readable lines, regressions first; under ``Match/axes``, after how the configs differ.
    public func report() -> [String] {
        var lines: [String] = []
        if match == .axes {
            let shown = configDifferences.prefix(20)
            lines.append(configDifferences.isEmpty ? "runs matched by axis values and seed; their configs are the same"
                         : "runs matched by axis values and seed; their configs differ in \(configDifferences.count) keys:")
            for difference in shown { lines.append("  \(difference.key): \(difference.old) -> \(difference.new)") }
            if configDifferences.count > shown.count { lines.append("  and \(configDifferences.count - shown.count) more") }
        }
        for (label, error) in newlyFailed { lines += Self.wrapped("FAILED   \(label): \(error)") }
        // One heading per run (its label, wrapped), then one indented line per metric that moved: regressions first.
        let order = { (m: Movement) in (m.isRegression ? 0 : 1, m.scope, m.metric) }
        var byRun: [String: [Movement]] = [:]
        for m in movements { byRun[m.label, default: []].append(m) }
        let runs = byRun.keys.sorted { a, b in
            let (x, y) = (byRun[a]!.contains(where: \.isRegression) ? 0 : 1, byRun[b]!.contains(where: \.isRegression) ? 0 : 1)
            return (x, a) < (y, b)
        }
        for label in runs {
            lines += Self.wrapped(label)
            for m in byRun[label]!.sorted(by: { order($0) < order($1) }) {
                let percent = SignedPercent.string(m.change * 100, decimals: 2)
                let tag = m.isRegression ? "WORSE   " : (MetricCatalog.direction(of: m.metric) == .neutral ? "CHANGED " : "BETTER  ")
                lines += Self.wrapped("  \(tag) \(m.scope) \(m.metric): \(Self.number(m.old)) -> \(Self.number(m.new)) (\(percent))")
            }
        }
        for label in missing { lines += Self.wrapped("MISSING  \(label): not in the new database") }
        for label in onlyInNew { lines += Self.wrapped("ADDED    \(label): not in the old database") }
        return lines
    }

    /// The width the report's lines keep to.
    public static let width = 100

    /// `line` broken at spaces into lines of at most ``width`` characters (a word longer than that stands alone),
    /// the continuations indented by four spaces more than the line.
    static func wrapped(_ line: String) -> [String] {
        guard line.count > width else { return [line] }
        let leading = line.prefix { $0 == " " }
        // The first word with the line's indent, then each later word with the space before it (gaps of several
        // spaces, such as the tag's padding, as written).
        let words = line.dropFirst(leading.count).split(separator: " ", omittingEmptySubsequences: false)
        let pieces = [leading + (words.first ?? "")] + words.dropFirst().map { " " + $0 }
        return TextWrap.fill(pieces, width: width, indent: String(repeating: " ", count: leading.count + 4))
    }

    /// A metric's value in plain digits: whole numbers as they are, others to four significant digits, never in
    /// scientific notation.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        let magnitude = abs(value)
        let decimals = magnitude >= 1 ? max(0, 3 - Int(log10(magnitude).rounded(.down))) : min(15, 3 - Int(log10(magnitude).rounded(.down)))
        return String(format: "%.\(decimals)f", value)
    }
}
