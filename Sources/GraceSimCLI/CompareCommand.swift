import ArgumentParser
import Foundation
import GraceSim
import GraceSimStore

/// `gracesim compare`: each strategy against a baseline, per point of the other axes.
struct CompareCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, markdown, csv, json
    }

    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare strategies in a results database, one table per sweep: P99 ITL, P99 TTFT and throughput averaged over the seeds, their spread, and % against a baseline.",
        discussion: "Example: gracesim compare --db Results/c1.sqlite --baseline recompute --format markdown"
    )

    @Option(help: ArgumentHelp("The results database.", valueName: "file"))
    var db: String

    @Option(help: "The strategy (or, in an ablation, the option value) the others are compared with (default: recompute, else the sweep's first).")
    var baseline: String?

    @Option(name: .customLong("metric"), help: ArgumentHelp("A metric to show (repeat for several; default: itl_p99_ms, ttft_p99_ms, output_tokens_per_s).", valueName: "name"))
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
            return Comparison(runs: runs, baseline: baseline, metrics: metrics.isEmpty ? nil : metrics,
                              scope: scope ?? "overall")
        }
        let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init).map { max(40, $0) } ?? 100
        print(ComparisonFormat.render(comparison, format, width: columns), terminator: "")
    }
}

/// Renders a ``Comparison``: aligned text tables (one per sweep, at most `width` characters wide, metrics wrapped
/// into further blocks when they do not fit), Markdown, CSV or JSON (every number at full precision).
enum ComparisonFormat {
    static func render(_ c: Comparison, _ format: CompareCommand.Format, width: Int = 100) -> String {
        switch format {
        case .table: return c.tables.map { text($0, c, width: width) }.joined(separator: "\n")
        case .markdown: return c.tables.map { markdown($0, c) }.joined(separator: "\n")
        case .csv: return csv(c)
        case .json: return json(c)
        }
    }

    /// A sweep's aligned table: a title line, the metric names over their columns, the column heads, the rows.
    /// When the varying axes would leave no room for a metric beside them, each point's axis values become a
    /// heading line over its rows instead, and the columns keep only the compared axis and `n`.
    static func text(_ t: Comparison.Table, _ c: Comparison, width: Int) -> String {
        let cells = t.rows.map { t.cells($0) }
        // Each metric's block of columns: mean, ± (with several seeds), change (with a baseline).
        struct Block { var name: String; var heads: [String]; var columns: [[String]]; var widths: [Int]; var width: Int }
        var blocks: [Block] = []
        for (m, metric) in c.metrics.enumerated() {
            var heads = ["mean"], columns = [cells.map { $0[m].mean }]
            if t.showsSpread { heads.append("±"); columns.append(cells.map { $0[m].spread }) }
            if t.baseline != nil { heads.append("change"); columns.append(cells.map { $0[m].change }) }
            var widths = heads.indices.map { i in ([heads[i]] + columns[i]).map(\.count).max() ?? 0 }
            let inner = widths.reduce(0, +) + widths.count - 1
            if metric.count > inner { widths[0] += metric.count - inner }
            blocks.append(Block(name: metric, heads: heads, columns: columns, widths: widths, width: max(inner, metric.count)))
        }
        let widestBlock = 3 + (blocks.map(\.width).max() ?? 0)
        let grouped = !t.axes.isEmpty && keyColumnsWidth(t) + widestBlock > width
        let labels = t.keyLabels(short: true)
        let keyLabels = (grouped ? [labels.last!] : labels) + ["n"]
        var keyRows = t.rows.map { row in (grouped ? [row.variant] : t.keyCells(row)) + [String(row.seeds.count)] }
        // Values too long for a column (a zipped list of instances, say) become "#1", "#2", ... with a legend.
        var legend: [String] = []
        for i in keyLabels.indices where keyRows.contains(where: { $0[i].count > maxKeyWidth }) {
            var seen: [String] = []
            for r in keyRows.indices {
                let value = keyRows[r][i]
                if !seen.contains(value) {
                    seen.append(value)
                    legend += wrap("  \(keyLabels[i]) #\(seen.count): \(value)", width: width, breakingAfter: ",")
                }
                keyRows[r][i] = "#\(seen.firstIndex(of: value)! + 1)"
            }
        }
        let keyWidths = keyLabels.indices.map { i in ([keyLabels] + keyRows).map { $0[i].count }.max() ?? 0 }
        let keyWidth = keyWidths.reduce(0, +) + 2 * (keyWidths.count - 1)
        var chunks: [[Block]] = []
        for block in blocks {
            if let last = chunks.last, keyWidth + last.map({ $0.width + 3 }).reduce(0, +) + block.width + 3 <= width {
                chunks[chunks.count - 1].append(block)
            } else {
                chunks.append([block])
            }
        }
        func pad(_ text: String, _ width: Int, left: Bool) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + fill : fill + text
        }
        var lines = wrap("sweep \(t.sweep): " + Comparison.caption(t), width: width)
        for chunk in chunks.isEmpty ? [[]] : chunks {
            var names = String(repeating: " ", count: keyWidth), heads = keyLabels.indices.map { pad(keyLabels[$0], keyWidths[$0], left: $0 < keyLabels.count - 1) }.joined(separator: "  ")
            for block in chunk {
                names += "   " + pad(block.name, block.width, left: false)
                heads += "   " + block.heads.indices.map { pad(block.heads[$0], block.widths[$0], left: false) }.joined(separator: " ")
            }
            lines += [names, heads]
            for (r, keys) in keyRows.enumerated() {
                if grouped, r == 0 || t.rows[r].point != t.rows[r - 1].point {
                    let point = zip(labels, t.rows[r].point).map { "\($0)=\($1)" }.joined(separator: ", ")
                    lines += wrap(point, width: width)
                }
                var line = keys.indices.map { pad(keys[$0], keyWidths[$0], left: $0 < keys.count - 1) }.joined(separator: "  ")
                for block in chunk {
                    line += "   " + block.columns.indices.map { pad(block.columns[$0][r], block.widths[$0], left: false) }.joined(separator: " ")
                }
                lines.append(line)
            }
        }
        lines += legend
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n") + "\n"
    }

    /// The width of the key columns as a table shows them: each column as wide as its label or widest value
    /// (values past ``maxKeyWidth`` shown as "#k"), two spaces between.
    static func keyColumnsWidth(_ t: Comparison.Table) -> Int {
        let labels = t.keyLabels(short: true) + ["n"]
        let rows = t.rows.map { t.keyCells($0) + [String($0.seeds.count)] }
        let widths = labels.indices.map { i in
            ([labels[i].count] + rows.map { $0[i].count > maxKeyWidth ? 3 : $0[i].count }).max() ?? 0
        }
        return widths.reduce(0, +) + 2 * (widths.count - 1)
    }

    /// The widest key value the text table shows as it is.
    static let maxKeyWidth = 24

    /// `text` broken after "; " or ", " (or after any `breakingAfter` character) into lines of at most `width`
    /// characters where it can be, the later lines indented by two spaces.
    static func wrap(_ text: String, width: Int, breakingAfter extra: Character? = nil) -> [String] {
        var pieces: [String] = [], piece = ""
        for character in text {
            piece.append(character)
            if character == " ", piece.hasSuffix("; ") || piece.hasSuffix(", ") { pieces.append(piece); piece = "" }
            else if let extra, character == extra { pieces.append(piece); piece = "" }
        }
        pieces.append(piece)
        return TextWrap.fill(pieces, width: width, indent: "  ")
    }

    /// A sweep's Markdown table under a heading naming it.
    static func markdown(_ t: Comparison.Table, _ c: Comparison) -> String {
        var header = t.keyLabels(short: false) + ["n"]
        for metric in c.metrics {
            header.append(metric)
            if t.showsSpread { header.append("±") }
            if let baseline = t.baseline { header.append("vs \(baseline)") }
        }
        let rows: [[String]] = t.rows.map { row in
            var cells = t.keyCells(row) + [String(row.seeds.count)]
            for cell in t.cells(row) {
                cells.append(cell.mean)
                if t.showsSpread { cells.append(cell.spread) }
                if t.baseline != nil { cells.append(cell.change) }
            }
            return cells
        }
        let keys = t.axes.count + 1
        let align = header.indices.map { $0 < keys ? "---" : "---:" }
        let table = ([header, align] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
        return "### \(t.sweep)\n\n\(Comparison.caption(t))\n\n\(table)\n"
    }

    /// Every table in one CSV: a row per table row with the sweep, the strategy, every axis (fixed ones too;
    /// empty where a sweep lacks it), the compared axis and its baseline, n, and per metric the mean, minimum,
    /// maximum and change in % as plain numbers at full precision (empty where there is none).
    static func csv(_ c: Comparison) -> String {
        var axes: [String] = []
        for t in c.tables {
            for axis in t.fixed.map(\.axis) + t.axes + [t.comparedAxis] where axis != "strategy" && !axes.contains(axis) { axes.append(axis) }
        }
        var header = ["sweep", "strategy"] + axes + ["compared_axis", "baseline", "n"]
        for metric in c.metrics { header += [metric, "\(metric)_min", "\(metric)_max", "\(metric)_change_percent"] }
        var lines = [header]
        for t in c.tables {
            for row in t.rows {
                let values = pointValues(t, row)
                var cells = [t.sweep, row.strategy] + axes.map { axis in values.first { $0.axis == axis }?.value ?? "" }
                cells += [t.comparedAxis, t.baseline ?? "", String(row.seeds.count)]
                for (value, change) in zip(row.values, row.changes) {
                    cells += [value.map { number($0.mean) } ?? "", value.map { number($0.minimum) } ?? "",
                              value.map { number($0.maximum) } ?? "", change.map(number) ?? ""]
                }
                lines.append(cells)
            }
        }
        return lines.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The tables as JSON, keys in a fixed order: axis values typed (numbers as numbers), every number at full
    /// precision, null where there is none.
    static func json(_ c: Comparison) -> String {
        let q = JSONText.quoted
        func value(_ x: Double?) -> String { x.map(number).map { $0.isEmpty ? "null" : $0 } ?? "null" }
        var tables: [String] = []
        for t in c.tables {
            var rows: [String] = []
            for row in t.rows {
                let point = pointValues(t, row).map { q($0.axis) + ": " + PointJSON.typed($0.value) }.joined(separator: ", ")
                let metrics = c.metrics.indices.map { m in
                    let s = row.values[m]
                    return q(c.metrics[m]) + ": {\"mean\": \(value(s?.mean)), \"min\": \(value(s?.minimum)), \"max\": \(value(s?.maximum)), "
                        + "\"n\": \(s.map { String($0.count) } ?? "0"), \"change_percent\": \(value(row.changes[m]))}"
                }.joined(separator: ", ")
                rows.append("        {\"strategy\": \(q(row.strategy)), \"point\": {\(point)}, \"baseline\": \(row.isBaseline), "
                            + "\"seeds\": [\(row.seeds.map(String.init).joined(separator: ", "))], \"metrics\": {\(metrics)}}")
            }
            tables.append("""
                    {"sweep": \(q(t.sweep)), "compared_axis": \(q(t.comparedAxis)), "baseline": \(t.baseline.map(q) ?? "null"),
                     "fixed": {\(t.fixed.map { q($0.axis) + ": " + PointJSON.typed($0.value) }.joined(separator: ", "))},
                     "axes": [\(t.axes.map(q).joined(separator: ", "))],
                     "rows": [
                """ + "\n" + rows.joined(separator: ",\n") + "\n     ]}")
        }
        return """
            {"scope": \(q(c.scope)), "metrics": [\(c.metrics.map(q).joined(separator: ", "))],
             "aggregation": "mean, min and max over the seeds of each row; change_percent is the change of the mean against the baseline",
             "tables": [
            """ + "\n" + tables.joined(separator: ",\n") + "\n]}\n"
    }

    /// A row's axis values: the fixed axes, the varying ones and the compared option (not `strategy`).
    static func pointValues(_ t: Comparison.Table, _ row: Comparison.Row) -> [Comparison.AxisValue] {
        var values = t.fixed + zip(t.axes, row.point).map { Comparison.AxisValue(axis: $0, value: $1) }
        if t.comparedAxis != "strategy" { values.append(.init(axis: t.comparedAxis, value: row.variant)) }
        return values
    }

    /// A number at full precision, in the shortest form that reads back as the same double; "" when not finite.
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : ""
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
