import Foundation
import GraceSimStore

/// The report's `index.html`: plain HTML and CSS, no script and no external resource, so it opens from disk
/// anywhere. Each sweep gets its figures (as `<img>` of the SVG files) and its comparison table, with the numbers
/// `gracesim compare` prints.
enum ReportHTML {
    static func page(database: String, baseline: String?, sections: [ReportWriter.SweepSection]) -> String {
        let e = SVGText.escape
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>gracesim report: \(e(database))</title>
            <style>
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1600px; }
            h1 { font-size: 24px; } h2 { font-size: 20px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 40px; }
            .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px; }
            figure { margin: 0; border: 1px solid #ddd; padding: 6px; background: #fff; }
            figure img { width: 100%; height: auto; display: block; }
            figcaption { font-size: 13px; color: #444; padding: 4px 2px; }
            table { border-collapse: collapse; font-size: 13px; margin: 12px 0; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; } th { background: #f2f2f2; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .better { color: #0b6e2f; } .worse { color: #b3261e; }
            .note { color: #555; font-size: 13px; }
            </style>
            </head>
            <body>
            <h1>gracesim report: \(e(database))</h1>
            <p class="note">Each table's numbers are those of <code>gracesim compare\(baseline.map { " --baseline " + e($0) } ?? "")</code>:
            the mean over the seeds, ± half their min–max range, and the change of the mean against the baseline its caption
            names, at the same point of the other axes. Lower is better for latencies, higher for throughput.</p>
            <ul>

            """
        for section in sections {
            html += "<li><a href=\"#\(e(section.folder))\">\(e(section.name))</a> (\(section.figures.count) figures)</li>\n"
        }
        html += "</ul>\n"
        for section in sections {
            html += "<section id=\"\(e(section.folder))\">\n<h2>\(e(section.name))</h2>\n"
            if section.failedRuns > 0 { html += "<p class=\"note\">\(section.failedRuns) failed run(s) left out.</p>\n" }
            for note in section.notes { html += "<p class=\"note\">\(e(note))</p>\n" }
            html += "<div class=\"figures\">\n"
            for figure in section.figures {
                let src = e(section.folder + "/" + figure.fileName)
                html += "<figure><img src=\"\(src)\" alt=\"\(e(figure.caption))\" width=\"760\"><figcaption>\(e(figure.caption))</figcaption></figure>\n"
            }
            html += "</div>\n" + table(section.comparison) + "</section>\n"
        }
        return html + "</body>\n</html>\n"
    }

    /// The comparison as HTML tables, one per sweep: the varying axes, the compared axis, n, then per metric the
    /// mean over the seeds, half its min–max range (with several seeds) and its change against the baseline, with
    /// the same cells as `gracesim compare --format markdown`.
    static func table(_ c: Comparison) -> String {
        let e = SVGText.escape
        var html = ""
        for t in c.tables {
            html += "<p class=\"note\">\(e(Comparison.caption(t)))</p>\n<table>\n<thead><tr>"
            for label in t.keyLabels(short: false) + ["n"] { html += "<th>\(e(label))</th>" }
            for metric in c.metrics {
                html += "<th>\(e(metric))</th>"
                if t.showsSpread { html += "<th>±</th>" }
                if let baseline = t.baseline { html += "<th>vs \(e(baseline))</th>" }
            }
            html += "</tr></thead>\n<tbody>\n"
            for row in t.rows {
                html += "<tr>"
                for cell in t.keyCells(row) { html += "<td>\(e(cell))</td>" }
                html += "<td class=\"num\">\(row.seeds.count)</td>"
                for (m, cell) in t.cells(row).enumerated() {
                    html += "<td class=\"num\">\(e(cell.mean))</td>"
                    if t.showsSpread { html += "<td class=\"num\">\(e(cell.spread))</td>" }
                    guard t.baseline != nil else { continue }
                    if let change = row.changes[m] {
                        let better = c.metrics[m].hasSuffix("_per_s") ? change > 0 : change < 0
                        let kind = abs(change) < 0.05 ? "" : better ? " better" : " worse"
                        html += "<td class=\"num\(kind)\">\(e(cell.change))</td>"
                    } else {
                        html += "<td class=\"num\"></td>"
                    }
                }
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        return html
    }
}
