import Foundation
import GraceSimStore
import GraceSimSweeps

/// Writes the figures of every sweep in a results database, and an `index.html` showing them with the
/// comparison tables: `out/<sweep>/<figure>.svg` and `out/index.html`.
public enum ReportWriter {
    /// What was written.
    public struct Summary: Sendable {
        /// Figure files, relative to the output folder, in the order the page shows them.
        public var figures: [String]
        public var sweeps: [String]
        /// The page, `out/index.html`.
        public var index: URL
    }

    /// One sweep's part of the report.
    struct SweepSection {
        var name: String
        var folder: String
        var figures: [Figure]
        var comparison: Comparison
        var failedRuns: Int
        var notes: [String]
    }

    /// Reads `store` and writes the report into `folder` (created if missing; existing figures are overwritten).
    /// - Parameter baseline: the strategy (or option value) each table compares with, where a sweep has it; nil for
    ///   ``Comparison``'s default.
    public static func write(store: ResultStore, to folder: URL, baseline: String? = nil) throws -> Summary {
        let all = try store.runs()
        let details = try store.runsWithDetails()
        var sweeps: [String] = []
        for run in all where !sweeps.contains(run.sweep) { sweeps.append(run.sweep) }

        // Each strategy's own colour, marker and dash, whatever order the sweeps list them in.
        let styles = Palette.strategies(all.map(\.run.strategy))

        var sections: [SweepSection] = []
        var folders: Set<String> = []
        for sweep in sweeps {
            let runs = all.filter { $0.sweep == sweep }
            let shape = SweepShape(runs: runs)
            let figures = SweepFigures(sweep: sweep, shape: shape, styles: styles)
            var list = figures.metricLines() + figures.optionBars() + figures.ablationBars()
            var notes: [String] = []
            var requests: [Int64: [RequestRecord]] = [:]
            for run in shape.runs {
                guard let id = run.run.id, details.requests.contains(id) else { continue }
                requests[id] = try store.requests(runId: id)
            }
            var seriesRows: [Int64: [SeriesRecord]] = [:]
            for run in shape.runs {
                guard let id = run.run.id, details.series.contains(id) else { continue }
                seriesRows[id] = try store.series(runId: id)
            }
            let distributions = seriesRows.mapValues { $0.filter { $0.series == PointSimulation.tbtDistributionSeries } }
            list += figures.ccdfs(requests).sorted { ($0.fileName.hasPrefix("ccdf-ttft") ? 0 : 1) < ($1.fileName.hasPrefix("ccdf-ttft") ? 0 : 1) }
            let itl = figures.itlCCDFs(distributions)
            // The ITL CCDFs over every gap go before those of each request's largest gap.
            let firstMax = list.firstIndex { $0.fileName.hasPrefix("ccdf-max-itl") } ?? list.endIndex
            list.insert(contentsOf: itl, at: firstMax)
            if requests.isEmpty && itl.isEmpty {
                notes.append("No per-request rows or series stored (sweep options store.requests, store.series), so no latency distributions (CCDFs).")
            } else if itl.isEmpty {
                notes.append("No ITL distributions stored (sweep option store.series): the ITL CCDFs are of each request's largest gap only.")
            }
            let seriesRuns = SweepFigures.seriesRuns(shape.runs, withSeries: details.series)
            if !seriesRuns.isEmpty {
                list += figures.timeSeries(seriesRuns, seriesRows)
                let rows = seriesRuns.flatMap { seriesRows[$0.run.id ?? -1] ?? [] }
                if !rows.contains(where: { $0.series.hasPrefix("link") }) {
                    notes.append("This run has no link traffic series (stored before it existed); link totals are in the metrics (bytes_h2d, bytes_d2h, link busy fractions).")
                }
            } else {
                notes.append("No time series stored (sweep option store.series), so no figures over time.")
            }
            var slug = Labels.slug(sweep)
            while folders.contains(slug) { slug += "-2" }
            folders.insert(slug)
            sections.append(SweepSection(name: sweep, folder: slug, figures: list,
                                         comparison: Comparison(runs: runs, baseline: baseline),
                                         failedRuns: runs.count - shape.runs.count, notes: notes))
        }

        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for section in sections {
            let sub = folder.appendingPathComponent(section.folder)
            try manager.createDirectory(at: sub, withIntermediateDirectories: true)
            for figure in section.figures {
                try Data(figure.svg.utf8).write(to: sub.appendingPathComponent(figure.fileName))
                written.append(section.folder + "/" + figure.fileName)
            }
        }
        let index = folder.appendingPathComponent("index.html")
        let html = ReportHTML.page(database: URL(fileURLWithPath: store.path).lastPathComponent, baseline: baseline, sections: sections)
        try Data(html.utf8).write(to: index)
        return Summary(figures: written, sweeps: sweeps, index: index)
    }
}
