import ArgumentParser
import Foundation
import GraceSimReport
import GraceSimStore

/// `gracesim report`: SVG figures of every sweep in a results database, and an `index.html` with the comparison tables.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write SVG figures and an HTML page (index.html) for every sweep in a results database.",
        discussion: "Example: gracesim report --db Results/c1.sqlite --out Results/c1-report --baseline recompute"
    )

    @Option(help: ArgumentHelp("The results database.", valueName: "file"))
    var db: String

    @Option(help: ArgumentHelp("The folder to write index.html and one folder of SVG figures per sweep into.", valueName: "dir"))
    var out: String

    @Option(help: "The strategy (or, in an ablation, the option value) the others are compared with in the tables (default: recompute, else the sweep's first).")
    var baseline: String?

    func run() throws {
        let summary = try InputFailure.guarding {
            let store = try ResultStore.openForReading(path: db)
            let runs = try store.runs()
            guard runs.contains(where: { $0.run.status == .finished }) else { throw StoreError(file: db, "no finished runs to report") }
            try Comparison.validate(runs: runs, file: db, baseline: baseline)
            do {
                return try ReportWriter.write(store: store, to: URL(fileURLWithPath: out), baseline: baseline)
            } catch let error as CocoaError {
                throw StoreError(file: out, "cannot write the report: \(error.localizedDescription)")
            }
        }
        print("wrote \(summary.figures.count) figures for \(summary.sweeps.count) sweep(s) and \(summary.index.path)")
    }
}
