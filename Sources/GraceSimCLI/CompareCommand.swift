import ArgumentParser
import Foundation
import GraceSimStore

/// `gracesim compare`: each strategy against a baseline, per point of the other axes.
struct CompareCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, markdown, csv, json
    }

    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare strategies in a results database: P99 TBT, P99 TTFT and throughput, and % against a baseline.",
        discussion: "Example: gracesim compare --db Results/c1.sqlite --baseline recompute --format markdown"
    )

    @Option(help: ArgumentHelp("The results database.", valueName: "file"))
    var db: String

    @Option(help: "The strategy the others are compared with (default: recompute).")
    var baseline: String?

    @Option(name: .customLong("metric"), help: ArgumentHelp("A metric to show (repeat for several; default: tbt_p99_ms, ttft_p99_ms, output_tokens_per_s).", valueName: "name"))
    var metrics: [String] = []

    @Option(help: "overall, or an instance name (default: overall).")
    var scope: String?

    @Option(help: "Only the runs of this sweep.")
    var sweep: String?

    @Option(help: "table, markdown, csv or json.")
    var format: Format = .table

    func run() throws {
        let comparison = try InputFailure.guarding {
            let store = try ResultStore.openForReading(path: db)
            let runs = try store.runs(sweep: sweep)
            guard runs.contains(where: { $0.run.status == .finished }) else { throw StoreError(file: db, "no finished runs to compare") }
            try Comparison.validate(runs: runs, file: db, baseline: baseline, scope: scope, metrics: metrics)
            return Comparison(runs: runs, baseline: baseline ?? "recompute", metrics: metrics.isEmpty ? Comparison.defaultMetrics : metrics,
                              scope: scope ?? "overall")
        }
        print(ComparisonFormat.render(comparison, format), terminator: "")
    }
}

/// Renders a ``Comparison`` as an aligned table, Markdown, CSV or JSON.
enum ComparisonFormat {
    static func render(_ c: Comparison, _ format: CompareCommand.Format) -> String {
        var header = c.axes + ["strategy"]
        for metric in c.metrics { header += [metric, "\(metric) vs \(c.baseline)"] }
        let rows: [[String]] = c.rows.map { row in
            var cells = row.point + [row.strategy]
            for (value, change) in zip(row.values, row.changes) {
                cells.append(value.map { number($0) } ?? "")
                cells.append(row.strategy == c.baseline ? "" : change.map { String(format: "%+.1f%%", $0) } ?? "n/a")
            }
            return cells
        }
        switch format {
        case .csv:
            return ([header] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        case .markdown:
            let align = header.indices.map { $0 < c.axes.count + 1 ? "---" : "---:" }
            return ([header, align] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
        case .table:
            let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
            let lines = ([header] + rows).map { cells in
                cells.enumerated().map { i, cell in
                    let pad = String(repeating: " ", count: widths[i] - cell.count)
                    return i < c.axes.count + 1 ? cell + pad : pad + cell
                }.joined(separator: "  ")
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            let objects: [[String: Any]] = c.rows.map { row in
                var object: [String: Any] = ["strategy": row.strategy]
                var point: [String: String] = [:]
                for (axis, value) in zip(c.axes, row.point) { point[axis] = value }
                object["point"] = point
                var values: [String: Any] = [:], changes: [String: Any] = [:]
                for (i, metric) in c.metrics.enumerated() {
                    values[metric] = row.values[i] ?? NSNull()
                    changes[metric] = row.changes[i] ?? NSNull()
                }
                object["values"] = values
                object["change_percent"] = changes
                return object
            }
            let top: [String: Any] = ["baseline": c.baseline, "scope": c.scope, "metrics": c.metrics, "rows": objects]
            let data = (try? JSONSerialization.data(withJSONObject: top, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    static func number(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.1f", value) : String(format: "%.3f", value)
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
