import Foundation
import GraceSimStore

/// What the database says about one claim: the treatment's change against the baseline per metric, over the
/// sweep's points, and whether it agrees with the paper in direction and size.
public struct ClaimEvaluation: Sendable {
    /// The change of one metric over the compared points.
    public struct MetricChange: Sendable, Equatable {
        public var metric: String
        /// Change in % of the treatment against the baseline at each compared point (seeds averaged first), in
        /// the order of the sweep's grid.
        public var changes: [Double]
        /// Baseline and treatment values at each point (means over seeds), in the same order.
        public var baselineValues: [Double]
        public var treatmentValues: [Double]

        public var median: Double? { ClaimEvaluation.median(changes) }
        public var minimum: Double? { changes.min() }
        public var maximum: Double? { changes.max() }
    }

    /// Agreement with the paper for one expected metric.
    public struct Verdict: Sendable, Equatable {
        public var metric: String
        /// Points whose change is in the expected direction (strictly), and the number of points.
        public var agreeing: Int
        public var points: Int
        /// Whether the median improvement lies in the paper's range; nil without a range or without points.
        public var inRange: Bool?
        /// Whether the improvement at the last value of the claim's `grows_with` axis exceeds the one at its first.
        public var grows: Bool?

        public var direction: Agreement {
            points == 0 ? .noData : agreeing == points ? .agrees : agreeing == 0 ? .disagrees : .partly
        }
    }

    public enum Agreement: String, Sendable {
        case agrees = "yes", partly, disagrees = "no", noData = "no data"
    }

    public var claim: PaperClaim
    /// Compared points (pairs of baseline and treatment).
    public var points: Int
    /// Distinct seeds among the compared runs (each point's values are means over them).
    public var seeds: Int
    /// One per table metric (`ClaimsCatalog.tableMetrics`, then any other expected metric).
    public var changes: [MetricChange]
    /// One per expected metric.
    public var verdicts: [Verdict]
    /// For a claim judged against another claim's gain (``PaperClaim/gainAgainst``): one per expected metric, the
    /// two gains compared; empty otherwise.
    public var gainComparisons: [GainComparison] = []

    /// Evaluates `claim` on the finished runs of its sweep.
    public init(claim: PaperClaim, runs: [StoredRun]) {
        self.claim = claim
        var metrics = ClaimsCatalog.tableMetrics
        for e in claim.expectations where !metrics.contains(e.metric) { metrics.append(e.metric) }
        let compared = Set(claim.baseline.keys)
        // Pair runs by every axis but the compared ones and the seed; average each side over seeds.
        struct Side { var sums: [String: Double] = [:]; var counts: [String: Int] = [:] }
        var order: [[String: String]] = []
        var baseline: [[String: String]: Side] = [:], treatment: [[String: String]: Side] = [:]
        var seedsSeen = Set<Int64>()
        for run in runs where run.run.status == .finished {
            let point = run.point
            guard claim.filter.allSatisfy({ point[$0.key] == $0.value }) else { continue }
            let isBaseline = claim.baseline.allSatisfy { point[$0.key] == $0.value }
            let isTreatment = claim.treatment.allSatisfy { point[$0.key] == $0.value }
            guard isBaseline || isTreatment else { continue }
            let key = point.filter { !compared.contains($0.key) && $0.key != "seed" }
            if !order.contains(key) { order.append(key) }
            seedsSeen.insert(run.run.seed)
            for metric in metrics {
                guard let value = run.metrics["overall"]?[metric] else { continue }
                if isBaseline {
                    baseline[key, default: Side()].sums[metric, default: 0] += value
                    baseline[key, default: Side()].counts[metric, default: 0] += 1
                } else {
                    treatment[key, default: Side()].sums[metric, default: 0] += value
                    treatment[key, default: Side()].counts[metric, default: 0] += 1
                }
            }
        }
        let paired = order.filter { baseline[$0] != nil && treatment[$0] != nil }
        points = paired.count
        seeds = seedsSeen.count
        changes = metrics.map { metric in
            var change = MetricChange(metric: metric, changes: [], baselineValues: [], treatmentValues: [])
            for key in paired {
                guard let bs = baseline[key]!.sums[metric], let bn = baseline[key]!.counts[metric],
                      let ts = treatment[key]!.sums[metric], let tn = treatment[key]!.counts[metric] else { continue }
                let b = bs / Double(bn), t = ts / Double(tn)
                guard let percent = Self.percentChange(from: b, to: t) else { continue }
                change.baselineValues.append(b)
                change.treatmentValues.append(t)
                change.changes.append(percent)
            }
            return change
        }
        let growthKeys: (first: [[String: String]], last: [[String: String]])? = claim.growsWith.flatMap { axis in
            // The axis's values in grid order: the first and last seen.
            let seen = paired.compactMap { $0[axis] }
            guard let first = seen.first, let last = seen.last, first != last else { return nil }
            return (paired.filter { $0[axis] == first }, paired.filter { $0[axis] == last })
        }
        verdicts = claim.expectations.map { e in
            var changes: [Double] = []
            var byKey: [[String: String]: Double] = [:]
            for key in paired {
                guard let bs = baseline[key]!.sums[e.metric], let bn = baseline[key]!.counts[e.metric],
                      let ts = treatment[key]!.sums[e.metric], let tn = treatment[key]!.counts[e.metric],
                      let percent = Self.percentChange(from: bs / Double(bn), to: ts / Double(tn)) else { continue }
                changes.append(percent)
                byKey[key] = percent
            }
            let grows: Bool? = growthKeys.flatMap { keys in
                let first = keys.first.compactMap { byKey[$0] }, last = keys.last.compactMap { byKey[$0] }
                guard !first.isEmpty, !last.isEmpty else { return nil }
                let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(xs.count) }
                return Self.improvement(mean(last), e.direction) > Self.improvement(mean(first), e.direction)
            }
            return Self.verdict(metric: e.metric, direction: e.direction, range: e.paperRange, changes: changes, grows: grows)
        }
    }

    /// The verdict on a list of changes in % (one per point).
    public static func verdict(metric: String, direction: PaperClaim.Expectation.Direction, range: ClosedRange<Double>?,
                               changes: [Double], grows: Bool? = nil) -> Verdict {
        let agreeing = changes.filter { direction == .unchanged ? abs($0) <= unchangedTolerance : improvement($0, direction) > 0 }.count
        let inRange = range.flatMap { range in median(changes).map { range.contains(improvement($0, direction)) } }
        return Verdict(metric: metric, agreeing: agreeing, points: changes.count, inRange: inRange, grows: grows)
    }

    /// A change in % as an improvement in %: its negation for metrics that should fall.
    public static func improvement(_ change: Double, _ direction: PaperClaim.Expectation.Direction) -> Double {
        direction == .lower ? -change : change
    }

    /// The largest change in % that counts as no change, for claims that the treatment makes no difference.
    public static let unchangedTolerance = 1.0

    /// (new − old) / |old| in %; nil when old is zero or either is not finite.
    public static func percentChange(from old: Double, to new: Double) -> Double? {
        guard old != 0, old.isFinite, new.isFinite else { return nil }
        return (new - old) / abs(old) * 100
    }

    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The verdicts that count when the paper's TBT is read as the `definition` metric (one of
    /// ``ClaimsCatalog/tbtDefinitions``): the other two readings' verdicts are left out. nil: every verdict.
    public func verdicts(readingTBTAs definition: String?) -> [Verdict] {
        guard let definition else { return verdicts }
        let others = Set(ClaimsCatalog.tbtDefinitions.map(\.metric)).subtracting([definition])
        return verdicts.filter { !others.contains($0.metric) }
    }

    /// Whether the claim expects anything of the paper's TBT.
    public var hasTBTExpectation: Bool {
        verdicts.contains { v in ClaimsCatalog.tbtDefinitions.contains { $0.metric == v.metric } }
    }

    /// The row's overall direction: yes when every expected metric agrees at every point, no when none does.
    public var direction: Agreement { direction(readingTBTAs: nil) }

    /// ``direction`` with the paper's TBT read as `definition` only (see ``verdicts(readingTBTAs:)``).
    public func direction(readingTBTAs definition: String?) -> Agreement {
        let all = verdicts(readingTBTAs: definition).map(\.direction)
        if all.isEmpty || all.contains(.noData) { return .noData }
        if all.allSatisfy({ $0 == .agrees }) { return .agrees }
        if all.allSatisfy({ $0 == .disagrees }) { return .disagrees }
        return .partly
    }

    /// Whether every metric with a paper range has its median improvement inside it; nil when no range applies.
    public var withinRange: Bool? { withinRange(readingTBTAs: nil) }

    /// ``withinRange`` with the paper's TBT read as `definition` only.
    public func withinRange(readingTBTAs definition: String?) -> Bool? {
        let checked = verdicts(readingTBTAs: definition).compactMap(\.inRange)
        return checked.isEmpty ? nil : checked.allSatisfy { $0 }
    }

    /// Whether the row agrees with the paper fully: in direction, in range where a range is given, and in growth.
    public var agreesFully: Bool { agreesFully(readingTBTAs: nil) }

    /// ``agreesFully`` with the paper's TBT read as `definition` only.
    public func agreesFully(readingTBTAs definition: String?) -> Bool {
        direction(readingTBTAs: definition) == .agrees && withinRange(readingTBTAs: definition) != false
            && !verdicts(readingTBTAs: definition).contains { $0.grows == false }
    }
}
