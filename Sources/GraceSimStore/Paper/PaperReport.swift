import Foundation

/// `Results/paper/README.md`: one table with a row per paper claim, every measured number read from the results
/// database (through ``ClaimEvaluation``), the paper's numbers from the claims catalog.
public struct PaperReport: Sendable {
    /// One sweep as stored: its name and how its runs went.
    public struct SweepLine: Sendable {
        public var file: String
        public var name: String
        public var finished: Int
        public var failed: Int
        /// Simulation time of its runs, summed (seconds of one core).
        public var runSeconds: Double
    }

    public var catalog: ClaimsCatalog
    public var evaluations: [ClaimEvaluation]
    public var sweeps: [SweepLine]

    /// Reads every claim's runs from `store`; a claim's sweep name comes from its sweep file.
    public init(catalog: ClaimsCatalog, store: ResultStore) throws {
        let all = try store.runs()
        var bySweep: [String: [StoredRun]] = [:]
        for run in all { bySweep[run.sweep, default: []].append(run) }
        var names: [String: String] = [:]
        var evaluations: [ClaimEvaluation] = []
        for claim in catalog.claims {
            let path = catalog.sweepPath(claim)
            let name = try names[path] ?? SweepSpec.load(path: path).name
            names[path] = name
            evaluations.append(ClaimEvaluation(claim: claim, runs: claim.pending ? [] : bySweep[name] ?? []))
        }
        var sweeps: [SweepLine] = []
        for (path, name) in names.sorted(by: { $0.key < $1.key }) where bySweep[name] != nil {
            let runs = bySweep[name]!
            sweeps.append(SweepLine(file: path, name: name, finished: runs.filter { $0.run.status == .finished }.count,
                                    failed: runs.filter { $0.run.status == .failed }.count,
                                    runSeconds: runs.reduce(0) { $0 + $1.run.wallSeconds }))
        }
        self.init(catalog: catalog, evaluations: evaluations, sweeps: sweeps)
    }

    public init(catalog: ClaimsCatalog, evaluations: [ClaimEvaluation], sweeps: [SweepLine] = []) {
        self.catalog = catalog
        self.evaluations = evaluations
        self.sweeps = sweeps
    }

    static let shortNames = ["tbt_p99_ms": "TBT", "ttft_p99_ms": "TTFT", "output_tokens_per_s": "tput"]

    static func short(_ metric: String) -> String { shortNames[metric] ?? metric }

    /// A change in %, as shown in the table: sign and one decimal.
    public static func percent(_ value: Double) -> String {
        signed(value) + "%"
    }

    /// A number with its sign and one decimal; a value that rounds to zero is "+0.0", never "-0.0".
    static func signed(_ value: Double) -> String {
        let text = String(format: "%+.1f", value)
        return text == "-0.0" ? "+0.0" : text
    }

    /// A metric's cell: the median change, and the range over points when there are several.
    public static func cell(_ change: ClaimEvaluation.MetricChange) -> String {
        guard let median = change.median else { return "no data" }
        if change.changes.count == 1 { return percent(median) }
        return "\(percent(median)) (\(percent(change.minimum!)) … \(percent(change.maximum!)))"
    }

    /// The paper's expected change, e.g. `TBT -82.5…-44.8%` or `TBT lower`.
    static func expected(_ e: PaperClaim.Expectation) -> String {
        let name = short(e.metric)
        if e.direction == .unchanged { return "\(name) unchanged (±\(String(format: "%.0f", ClaimEvaluation.unchangedTolerance))%)" }
        guard let range = e.paperRange else { return "\(name) \(e.direction.rawValue)" }
        let lo = e.direction == .lower ? -range.upperBound : range.lowerBound
        let hi = e.direction == .lower ? -range.lowerBound : range.upperBound
        return "\(name) \(signed(lo))…\(signed(hi))%"
    }

    static func directionCell(_ e: ClaimEvaluation) -> String {
        var text: String
        switch e.direction {
        case .agrees, .disagrees, .noData: text = e.direction.rawValue
        case .partly: text = "partly (" + e.verdicts.map { "\(short($0.metric)) \($0.agreeing)/\($0.points)" }.joined(separator: ", ") + ")"
        }
        if let axis = e.claim.growsWith {
            let grows = e.verdicts.map { v in "\(short(v.metric)) \(v.grows.map { $0 ? "yes" : "no" } ?? "n/a")" }
            text += "; grows with \(axis.split(separator: ".").last ?? ""): " + grows.joined(separator: ", ")
        }
        return text
    }

    static func rangeCell(_ e: ClaimEvaluation) -> String {
        guard let within = e.withinRange else { return "no range given" }
        if within { return "yes" }
        return "no (" + e.verdicts.compactMap { v in v.inRange.map { "\(short(v.metric)) \($0 ? "yes" : "no")" } }.joined(separator: ", ") + ")"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    static func selection(_ values: [String: String]) -> String {
        values.sorted { $0.key < $1.key }.map { "\($0.key.split(separator: ".").last ?? "")=\($0.value)" }.joined(separator: " ")
    }

    /// The table's rows, one per claim, as arrays of cells.
    public var rows: [[String]] {
        evaluations.map { e in
            let claim = e.claim
            var where_ = ""
            if !claim.filter.isEmpty { where_ = " at " + Self.selection(claim.filter) }
            let compared = "\(Self.selection(claim.baseline)) → \(Self.selection(claim.treatment))\(where_)"
            let expected = claim.expectations.map(Self.expected).joined(separator: ", ")
            if claim.pending {
                return [claim.id, claim.experiment, claim.claim, compared, "pending", "pending", "pending", "pending",
                        expected, "pending", "pending", claim.notes ?? "not run yet"]
            }
            let cells = ClaimsCatalog.tableMetrics.map { metric in
                e.changes.first { $0.metric == metric }.map(Self.cell) ?? "no data"
            }
            let reason = e.agreesFully ? "" : (claim.notes ?? "not investigated")
            let points = e.points == 0 ? "0" : "\(e.points) × \(e.seeds) seed\(e.seeds == 1 ? "" : "s")"
            return [claim.id, claim.experiment, claim.claim, compared, points] + cells
                + [expected, Self.directionCell(e), Self.rangeCell(e), reason]
        }
    }

    public static let header = ["claim", "experiment", "the paper says", "baseline → compared", "points",
                                "P99 TBT change", "P99 TTFT change", "throughput change", "paper's range",
                                "same direction", "within paper's range", "reason if not"]

    /// The whole README.
    /// - Parameters:
    ///   - wallSeconds: the wall time of the reproduction that wrote it, and `runsSimulated` how many runs it simulated
    ///     (the others were already in the database), both printed when given.
    public func markdown(generatedBy command: String = "gracesim reproduce", wallSeconds: Double? = nil,
                         runsSimulated: Int? = nil) -> String {
        var lines: [String] = []
        lines.append("# The paper's claims against gracesim")
        lines.append("")
        lines.append("Generated by `\(command)` from `paper.sqlite` (beside this file) and `\(catalog.file)`. Do not edit: "
                     + "every measured number below is read from the database; only the paper's claims and ranges come "
                     + "from the catalog.")
        lines.append("")
        lines.append("Each row compares the runs selected by *baseline* with those selected by *compared* in the claim's "
                     + "sweep (`Configs/sweeps/paper/`), paired on every other axis, seeds averaged. A change is "
                     + "(compared − baseline) / baseline in %, the median over the sweep's points, with the smallest and "
                     + "largest in brackets when there are several points. *Same direction*: every point moves the "
                     + "expected way in every metric the claim is about (`partly` counts points per metric). *Within "
                     + "the paper's range*: the median improvement lies inside the paper's range. Throughput is output "
                     + "tokens per second of simulated time.")
        lines.append("")
        lines.append("| " + Self.header.joined(separator: " | ") + " |")
        lines.append("|" + Self.header.map { _ in "---" }.joined(separator: "|") + "|")
        for row in rows { lines.append("| " + row.map(Self.escape).joined(separator: " | ") + " |") }
        lines.append("")
        let agreeing = evaluations.filter { !$0.claim.pending && $0.agreesFully }.map(\.claim.id)
        let direction = evaluations.filter { !$0.claim.pending && $0.direction == .agrees && !$0.agreesFully }.map(\.claim.id)
        let other = evaluations.filter { !$0.claim.pending && $0.direction != .agrees }.map(\.claim.id)
        let pending = evaluations.filter(\.claim.pending).map(\.claim.id)
        lines.append("Agrees fully: \(list(agreeing)). Same direction, not the paper's size or trend: \(list(direction)). "
                     + "Not the same direction: \(list(other)). Pending: \(list(pending)).")
        if !sweeps.isEmpty {
            lines.append("")
            lines.append("Sweeps in the database:")
            lines.append("")
            for s in sweeps {
                let failed = s.failed > 0 ? ", \(s.failed) failed" : ""
                lines.append("- `\(s.name)` (`\(s.file)`): \(s.finished) runs\(failed), \(String(format: "%.1f", s.runSeconds)) s of simulation")
            }
        }
        if let wallSeconds {
            let total = sweeps.reduce(0) { $0 + $1.finished + $1.failed }
            let ran = runsSimulated.map { "simulated \($0) of the \(total) runs" } ?? "ran"
            lines.append("")
            lines.append("The last `gracesim reproduce` \(ran) in \(String(format: "%.1f", wallSeconds)) s of wall time "
                         + "(runs already in the database are not run again).")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func list(_ ids: [String]) -> String {
        ids.isEmpty ? "none" : ids.map { "`\($0)`" }.joined(separator: ", ")
    }
}
