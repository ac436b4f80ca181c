import Foundation
import GraceSim
import GraceSimStore
import GraceSimSweeps
import Yams

/// One of the paper's claims and the sweep that tests it (`Configs/sweeps/paper/claims.yaml`).
public struct PaperClaim: Sendable, Equatable {
    /// The expected direction of the treatment's change in one metric, and the paper's range of improvement.
    public struct Expectation: Sendable, Equatable {
        /// `unchanged`: the claim is that the treatment makes no difference (within ``ClaimEvaluation/unchangedTolerance``).
        public enum Direction: String, Sendable, CaseIterable {
            case lower, higher, unchanged
        }

        public var metric: String
        public var direction: Direction
        /// The paper's range of improvement in % (a reduction for `lower`, an increase for `higher`), when it gives one.
        public var paperRange: ClosedRange<Double>?

        public init(metric: String, direction: Direction, paperRange: ClosedRange<Double>? = nil) {
            self.metric = metric
            self.direction = direction
            self.paperRange = paperRange
        }
    }

    public var id: String
    public var experiment: String
    /// The sweep file, relative to the catalog's folder.
    public var sweep: String
    public var claim: String
    /// Axis key → value text (as stored in each run's point) selecting the baseline and the treatment runs.
    public var baseline: [String: String]
    public var treatment: [String: String]
    /// Axis key → value text every compared point must have.
    public var filter: [String: String]
    /// An expectation on the catalog's `tbt_p99_ms` is here as three, one per ``ClaimsCatalog/tbtDefinitions``.
    public var expectations: [Expectation]
    public var growsWith: String?
    /// When set, the claim is about its gain against another claim's (spatial sharing gains less than temporal
    /// sharing): each expected metric is judged by comparing the two claims' median improvements, not by the
    /// direction of this claim's own change.
    public var gainAgainst: GainComparison?
    public var pending: Bool
    public var notes: String?
    /// The id of the catalog section (``ClaimsCatalog/Section``) the claim's row is shown in; nil: the main table,
    /// whose claims are the paper's and are counted under the table.
    public var section: String?

    /// How a claim's gain must compare with another claim's: `gain: {smaller_than: ID}` or `{larger_than: ID}`.
    public struct GainComparison: Sendable, Equatable {
        public enum Relation: String, Sendable, CaseIterable {
            case smaller = "smaller_than", larger = "larger_than"
        }

        public var relation: Relation
        /// The id of the claim whose gain this claim's is compared with.
        public var claim: String

        public init(_ relation: Relation, _ claim: String) {
            self.relation = relation
            self.claim = claim
        }

        /// Whether a median improvement `gain` (in %) stands to `other` as the relation says (strictly).
        public func holds(gain: Double, other: Double) -> Bool {
            relation == .smaller ? gain < other : gain > other
        }
    }

    public init(id: String, experiment: String, sweep: String, claim: String, baseline: [String: String],
                treatment: [String: String], filter: [String: String] = [:], expectations: [Expectation],
                growsWith: String? = nil, gainAgainst: GainComparison? = nil, pending: Bool = false, notes: String? = nil,
                section: String? = nil) {
        self.id = id
        self.experiment = experiment
        self.sweep = sweep
        self.claim = claim
        self.baseline = baseline
        self.treatment = treatment
        self.filter = filter
        self.expectations = expectations
        self.growsWith = growsWith
        self.gainAgainst = gainAgainst
        self.pending = pending
        self.notes = notes
        self.section = section
    }
}

/// The claims catalog: every paper claim, with the sweep file that tests it.
public struct ClaimsCatalog: Sendable {
    /// The catalog file.
    public var file: String
    public var claims: [PaperClaim]
    /// Groups of rows shown after the main table, each under its own heading (e.g. the headline claims re-run
    /// under another hardware rule), in catalog order.
    public var sections: [Section] = []

    /// A group of claims shown apart from the paper's own (`sections:` in the catalog; a claim joins one with
    /// `section: ID`): its heading and a paragraph saying what its rows vary.
    public struct Section: Sendable, Equatable {
        public var id: String
        public var title: String
        public var text: String

        public init(id: String, title: String, text: String) {
            self.id = id
            self.title = title
            self.text = text
        }
    }

    /// One way of reading the paper's "TBT", which the paper does not define.
    public struct TBTDefinition: Sendable, Equatable {
        /// The stored metric.
        public var metric: String
        /// Its name in the table, e.g. "worst gap".
        public var short: String
    }

    /// The catalog's name for the paper's P99 TBT: an expectation on it stands for one on each of ``tbtDefinitions``.
    public static let tbtMetric = "tbt_p99_ms"

    /// The three readings of the paper's P99 TBT: every gap between tokens pooled over requests (vLLM's benchmark
    /// ITL), per request (E2E − TTFT) / (output − 1) (TPOT), and each request's longest gap, P99 over requests.
    public static let tbtDefinitions = [
        TBTDefinition(metric: "itl_p99_ms", short: "ITL"),
        TBTDefinition(metric: "tpot_p99_ms", short: "TPOT"),
        TBTDefinition(metric: "max_itl_p99_ms", short: "worst gap"),
    ]

    /// The metrics shown for every claim, in table order.
    public static let tableMetrics = tbtDefinitions.map(\.metric) + ["ttft_p99_ms", "output_tokens_per_s"]

    public static func load(path: String) throws -> ClaimsCatalog {
        try parse(try ConfigNode.readText(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> ClaimsCatalog {
        let root = try ConfigNode.parse(text, file: file).object()
        // Other top-level keys hold YAML anchors for shared expectations; they are read through their aliases.
        var sections: [Section] = []
        for node in try root.optional("sections")?.list() ?? [] {
            let o = try node.object()
            let section = Section(id: try o.string("id"), title: try o.string("title"), text: try o.string("text"))
            guard !sections.contains(where: { $0.id == section.id }) else { throw node.error("two sections have the id \"\(section.id)\"") }
            try o.finish()
            sections.append(section)
        }
        var claims: [PaperClaim] = []
        for node in try root.required("claims").list() {
            let o = try node.object()
            let id = try o.string("id")
            guard !claims.contains(where: { $0.id == id }) else { throw node.error("two claims have the id \"\(id)\"") }
            var expectations: [PaperClaim.Expectation] = []
            let expect = try o.required("expect")
            for (metric, value) in try entries(expect) {
                let e = try ConfigNode(node: value, file: file, path: "\(expect.path).\(metric)").object()
                let direction: PaperClaim.Expectation.Direction = try e.required("direction").choice()
                var range: ClosedRange<Double>?
                if let paper = e.optional("paper") {
                    let bounds = try paper.list().map { try $0.double() }
                    guard bounds.count == 2, bounds[0] <= bounds[1] else { throw paper.error("expected [low, high] in %") }
                    range = bounds[0]...bounds[1]
                }
                try e.finish()
                // The paper's TBT is judged under each of its readings, never under one chosen to agree.
                let metrics = metric == tbtMetric ? tbtDefinitions.map(\.metric) : [metric]
                for m in metrics {
                    guard !expectations.contains(where: { $0.metric == m }) else {
                        throw expect.error("\(m) is expected twice (\(tbtMetric) stands for \(tbtDefinitions.map(\.metric).joined(separator: ", ")))")
                    }
                    expectations.append(.init(metric: m, direction: direction, paperRange: range))
                }
            }
            guard !expectations.isEmpty else { throw expect.error("expected at least one metric") }
            let baseline = try values(try o.required("baseline"))
            let treatment = try values(try o.required("treatment"))
            guard Set(baseline.keys) == Set(treatment.keys), !baseline.isEmpty else {
                throw node.error("baseline and treatment must set the same axes")
            }
            claims.append(PaperClaim(
                id: id, experiment: try o.string("experiment"), sweep: try o.string("sweep"), claim: try o.string("claim"),
                baseline: baseline, treatment: treatment, filter: try o.optional("where").map(values) ?? [:],
                expectations: expectations, growsWith: try o.optional("grows_with")?.string(),
                gainAgainst: try o.optional("gain").map(gainComparison),
                pending: try o.bool("pending", default: false), notes: try o.optional("notes")?.string(),
                section: try o.optional("section").map { section in
                    let id = try section.string()
                    guard sections.contains(where: { $0.id == id }) else {
                        throw section.error("no section \"\(id)\" under sections: (known: \(sections.map(\.id).joined(separator: ", ")))")
                    }
                    return id
                }))
            try o.finish()
        }
        try checkGainComparisons(claims, root: root)
        return ClaimsCatalog(file: file, claims: claims, sections: sections)
    }

    /// Reads `gain: {smaller_than: ID}` or `gain: {larger_than: ID}`.
    private static func gainComparison(_ node: ConfigNode) throws -> PaperClaim.GainComparison {
        let pairs = try entries(node)
        let relations = PaperClaim.GainComparison.Relation.allCases
        guard pairs.count == 1, let relation = relations.first(where: { $0.rawValue == pairs[0].0 }), let id = pairs[0].1.string else {
            throw node.error("expected {smaller_than: CLAIM} or {larger_than: CLAIM}")
        }
        return PaperClaim.GainComparison(relation, id)
    }

    /// A claim judged against another's gain names a claim of the catalog that is not itself judged so and expects
    /// each of its metrics in the same direction; it gives no paper range, since the row is judged on the comparison.
    private static func checkGainComparisons(_ claims: [PaperClaim], root: ConfigObject) throws {
        let list = try root.required("claims").list()
        for (claim, node) in zip(claims, list) {
            guard let gain = claim.gainAgainst else { continue }
            let at = try node.object().required("gain")
            guard let other = claims.first(where: { $0.id == gain.claim }), other.id != claim.id else {
                throw at.error("\"\(gain.claim)\" is not another claim of the catalog")
            }
            guard other.gainAgainst == nil else { throw at.error("\(other.id) is itself judged against another claim's gain") }
            for e in claim.expectations {
                guard other.expectations.contains(where: { $0.metric == e.metric && $0.direction == e.direction }) else {
                    throw at.error("\(other.id) does not expect \(e.metric) \(e.direction.rawValue), so its gain cannot be compared")
                }
                guard e.paperRange == nil else {
                    throw at.error("a claim judged against \(other.id)'s gain takes no paper range (\(e.metric))")
                }
            }
        }
    }

    /// The claim's sweep file, resolved against the catalog's folder.
    public func sweepPath(_ claim: PaperClaim) -> String {
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? claim.sweep : directory + "/" + claim.sweep
    }

    private static func entries(_ node: ConfigNode) throws -> [(String, Node)] {
        guard case let .mapping(mapping) = node.node else { throw node.error("expected a mapping") }
        return try mapping.map { key, value in
            guard let text = key.string, !text.isEmpty else { throw node.error("expected names as keys") }
            return (text, value)
        }
    }

    /// Axis key → value, each value as the text a sweep stores in a run's point.
    private static func values(_ node: ConfigNode) throws -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in try entries(node) { out[key] = SweepSpec.yamlText(value) }
        return out
    }
}
