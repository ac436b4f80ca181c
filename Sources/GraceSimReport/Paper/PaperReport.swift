import Foundation
import GraceSim
import GraceSimStore
import GraceSimSweeps

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
        let evaluations = try ClaimEvaluation.evaluate(catalog.claims) { claim in
            let path = catalog.sweepPath(claim)
            let name = try names[path] ?? SweepSpec.load(path: path).name
            names[path] = name
            return claim.pending ? [] : bySweep[name] ?? []
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

    static let shortNames = Dictionary(uniqueKeysWithValues: ClaimsCatalog.tbtDefinitions.map { ($0.metric, $0.short) })
        .merging(["ttft_p99_ms": "TTFT", "output_tokens_per_s": "tput"]) { a, _ in a }

    static func short(_ metric: String) -> String { shortNames[metric] ?? metric }

    /// A change in %, as shown in the table: sign and one decimal (``SignedPercent``).
    public static func percent(_ value: Double) -> String {
        SignedPercent.string(value)
    }

    /// A number with its sign and one decimal; a value that rounds to zero is "+0.0", never "-0.0".
    static func signed(_ value: Double) -> String {
        SignedPercent.signed(value)
    }

    /// A number to two significant digits, never in scientific notation: 0.05, 0.5, 8.7, 26, 1200.
    public static func significant(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        guard value != 0 else { return "0" }
        // 10^place is the value of the second significant digit.
        let place = Int(floor(log10(abs(value)))) - 1
        let unit = pow(10, Double(place))
        var text = String(format: "%.\(max(0, -place))f", (value / unit).rounded() * unit)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// A metric's cell: the median change, and the range over points when there are several.
    public static func cell(_ change: ClaimEvaluation.MetricChange) -> String {
        guard let median = change.median else { return "no data" }
        if change.changes.count == 1 { return percent(median) }
        return "\(percent(median)) (\(percent(change.minimum!)) … \(percent(change.maximum!)))"
    }

    /// The paper's expected change, e.g. `TBT -82.5…-44.8%` or `TTFT lower`.
    static func expected(_ e: PaperClaim.Expectation, name: String? = nil) -> String {
        let name = name ?? short(e.metric)
        if e.direction == .unchanged { return "\(name) unchanged (±\(String(format: "%.0f", ClaimEvaluation.unchangedTolerance))%)" }
        guard let range = e.paperRange else { return "\(name) \(e.direction.rawValue)" }
        let lo = e.direction == .lower ? -range.upperBound : range.lowerBound
        let hi = e.direction == .lower ? -range.lowerBound : range.upperBound
        return "\(name) \(signed(lo))…\(signed(hi))%"
    }

    /// The claim's expected changes; the three readings of the paper's TBT, expected alike, are shown once as TBT.
    /// A claim judged against another's gain expects its gain to be smaller or larger: `tput gain smaller than in
    /// c1-sharegpt-throughput`.
    static func expectedCell(_ claim: PaperClaim) -> String {
        if let gain = claim.gainAgainst {
            let relation = gain.relation == .smaller ? "smaller" : "larger"
            return claim.expectations.map { "\(short($0.metric)) gain \(relation) than in \(gain.claim)" }.joined(separator: ", ")
        }
        let tbt = ClaimsCatalog.tbtDefinitions.map(\.metric)
        let readings = claim.expectations.filter { tbt.contains($0.metric) }
        let alike = readings.count == tbt.count
            && readings.allSatisfy { $0.direction == readings[0].direction && $0.paperRange == readings[0].paperRange }
        var parts: [String] = []
        for e in claim.expectations {
            if alike, tbt.contains(e.metric) {
                if e.metric == readings[0].metric { parts.append(expected(e, name: "TBT")) }
            } else {
                parts.append(expected(e))
            }
        }
        return parts.joined(separator: ", ")
    }

    /// The readings of the paper's TBT that move the paper's way at every point, e.g. "TPOT, worst gap".
    static func definitionsCell(_ e: ClaimEvaluation) -> String {
        let readings = ClaimsCatalog.tbtDefinitions.compactMap { d in
            e.verdicts.first { $0.metric == d.metric }.map { (short: d.short, direction: $0.direction) }
        }
        if readings.isEmpty { return "no TBT claim" }
        if readings.allSatisfy({ $0.direction == .noData }) { return "no data" }
        let agreeing = readings.filter { $0.direction == .agrees }.map(\.short)
        return agreeing.isEmpty ? "none" : agreeing.joined(separator: ", ")
    }

    /// Each compared point's P99 TTFT in seconds, baseline → compared, in grid order: `0.1 → 0.1; 8.7 → 0.1`.
    static func ttftCell(_ e: ClaimEvaluation) -> String {
        guard let ttft = e.changes.first(where: { $0.metric == "ttft_p99_ms" }), !ttft.baselineValues.isEmpty else {
            return "no data"
        }
        return zip(ttft.baselineValues, ttft.treatmentValues)
            .map { "\(significant($0 / 1000)) → \(significant($1 / 1000))" }.joined(separator: "; ")
    }

    static func directionCell(_ e: ClaimEvaluation) -> String {
        if !e.gainComparisons.isEmpty, e.direction != .noData {
            // Judged on the comparison: name both gains, e.g. "no (tput +32.9% against +21.0% in c1-sharegpt-throughput)".
            let compared = e.gainComparisons.map { c in
                "\(short(c.metric)) \(c.gain.map(percent) ?? "no data") against \(c.otherGain.map(percent) ?? "no data") in \(c.otherClaim)"
            }
            return "\(e.direction == .partly ? "partly" : e.direction.rawValue) (\(compared.joined(separator: ", ")))"
        }
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

    /// The tables' rows, one per claim in catalog order (the main table's and every section's), as arrays of cells.
    public var rows: [[String]] { evaluations.map(Self.row) }

    /// The rows of the main table (`section` nil) or of one catalog section.
    public func rows(section: String?) -> [[String]] {
        evaluations.filter { $0.claim.section == section }.map(Self.row)
    }

    /// One claim's row.
    static func row(_ e: ClaimEvaluation) -> [String] {
        let claim = e.claim
        var where_ = ""
        if !claim.filter.isEmpty { where_ = " at " + Self.selection(claim.filter) }
        let compared = "\(Self.selection(claim.baseline)) → \(Self.selection(claim.treatment))\(where_)"
        let expected = Self.expectedCell(claim)
        if claim.pending {
            let cells = Array(repeating: "pending", count: ClaimsCatalog.tableMetrics.count + 2)
            return [claim.id, claim.experiment, claim.claim, compared] + cells
                + [expected, "pending", "pending", "pending", claim.notes ?? "not run yet"]
        }
        let cells = ClaimsCatalog.tableMetrics.map { metric in
            e.changes.first { $0.metric == metric }.map(Self.cell) ?? "no data"
        }
        let reason = e.agreesFully ? "" : (claim.notes ?? "not investigated")
        let points = e.points == 0 ? "0" : "\(e.points) × \(e.seeds) seed\(e.seeds == 1 ? "" : "s")"
        return [claim.id, claim.experiment, claim.claim, compared, points] + cells
            + [ttftCell(e), expected, directionCell(e), definitionsCell(e), rangeCell(e), reason]
    }

    public static let header = ["claim", "experiment", "the paper says", "baseline → compared", "points",
                                "P99 ITL change", "P99 TPOT change", "P99 worst-gap change", "P99 TTFT change",
                                "throughput change", "P99 TTFT, baseline → compared (s)", "paper's range",
                                "same direction", "TBT definitions in the paper's direction", "within paper's range",
                                "reason if not"]

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
                     + "expected way in every metric the claim is about (`partly` counts points per metric, each "
                     + "reading of TBT below among them); a claim about its gain against another claim's (spatial "
                     + "against temporal sharing) is judged on that comparison instead, both median gains shown. "
                     + "*Within the paper's range*: the median improvement lies "
                     + "inside the paper's range. *P99 TTFT, baseline → compared*: both sides' P99 TTFT at each point, "
                     + "in the sweep's order.")
        lines.append("")
        lines.append("The paper does not say which definition of TBT it used, so a claim on P99 TBT is judged under "
                     + "three: *ITL*, every gap between consecutive tokens pooled over all requests (what vLLM's "
                     + "benchmark calls ITL); *TPOT*, per request (E2E − TTFT) / (output tokens − 1); *worst gap*, "
                     + "each request's longest gap between tokens, P99 over requests. *TBT definitions in the paper's "
                     + "direction* names those that move the paper's way at every point; the lines under the table "
                     + "count the claims under each reading. Throughput is output tokens per second from the first "
                     + "arrival to the last completion, as vLLM's benchmark computes it; rows whose sweep is "
                     + "closed-loop measure it at capacity.")
        lines.append("")
        lines += table(rows(section: nil))
        lines.append("")
        lines += summary
        for section in catalog.sections where evaluations.contains(where: { $0.claim.section == section.id }) {
            lines.append("")
            lines.append("## \(section.title)")
            lines.append("")
            lines.append(section.text)
            lines.append("")
            lines += table(rows(section: section.id), columns: Self.sectionHeader)
            lines.append("")
            lines += summary(section: section.id)
        }
        lines.append("")
        lines.append("Pending: \(list(evaluations.filter(\.claim.pending).map(\.claim.id))).")
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

    /// The columns of a section's table: a section re-runs claims of the main table, so the claim's text and the
    /// comparison (the same on every row, said in the section's paragraph) and the TBT readings (counted under the
    /// table) are left out.
    public static let sectionHeader = ["claim", "experiment", "points", "P99 ITL change", "P99 TPOT change",
                                       "P99 worst-gap change", "P99 TTFT change", "throughput change",
                                       "P99 TTFT, baseline → compared (s)", "paper's range", "same direction",
                                       "within paper's range", "reason if not"]

    /// A markdown table of `rows` (cells in ``header`` order), showing `columns`.
    private func table(_ rows: [[String]], columns: [String] = Self.header) -> [String] {
        let indices = columns.map { Self.header.firstIndex(of: $0)! }
        return ["| " + columns.joined(separator: " | ") + " |", "|" + columns.map { _ in "---" }.joined(separator: "|") + "|"]
            + rows.map { row in "| " + indices.map { Self.escape(row[$0]) }.joined(separator: " | ") + " |" }
    }

    /// One line per reading of the paper's TBT: which claims of the main table agree fully, in direction only, or
    /// not. Claims without a TBT expectation count alike in every line.
    public var summary: [String] { summary(section: nil) }

    /// ``summary`` over the claims of the main table (`section` nil) or of one catalog section.
    public func summary(section: String?) -> [String] {
        let run = evaluations.filter { !$0.claim.pending && $0.claim.section == section }
        return ClaimsCatalog.tbtDefinitions.map { d in
            let agreeing = run.filter { $0.agreesFully(readingTBTAs: d.metric) }.map(\.claim.id)
            let direction = run.filter { $0.direction(readingTBTAs: d.metric) == .agrees && !$0.agreesFully(readingTBTAs: d.metric) }
                .map(\.claim.id)
            let other = run.filter { $0.direction(readingTBTAs: d.metric) != .agrees }.map(\.claim.id)
            // An acronym stands alone; a name such as "worst gap" takes an article.
            let name = d.short == d.short.uppercased() ? d.short : "the " + d.short
            return "- Reading TBT as \(name) — agrees fully: \(list(agreeing)); same direction, not the paper's size "
                + "or trend: \(list(direction)); not the same direction: \(list(other))."
        }
    }

    private func list(_ ids: [String]) -> String {
        ids.isEmpty ? "none" : ids.map { "`\($0)`" }.joined(separator: ", ")
    }
}
