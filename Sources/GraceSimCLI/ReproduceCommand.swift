import ArgumentParser
import Foundation
import GraceSim
import GraceSimReport
import GraceSimStore
import GraceSimSweeps

/// `gracesim reproduce`: run every sweep of the paper's evaluation into one database and write the claims table.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run every paper sweep (Configs/sweeps/paper/) into OUT/paper.sqlite and write OUT/README.md.",
        discussion: """
            Each sweep file in the folder (not pending/, not claims.yaml) runs like `gracesim sweep`: points already \
            finished in the database are skipped, so an interrupted reproduction resumes. OUT/README.md is then \
            generated from the database and the claims catalog: one row per paper claim, the paper's numbers beside \
            gracesim's.
            Example: gracesim reproduce --out Results/paper --jobs 2
            """
    )

    @Option(help: ArgumentHelp("The output folder: paper.sqlite and README.md go there.", valueName: "dir"))
    var out = "Results/paper"

    @Option(help: ArgumentHelp("The folder of the paper's sweeps.", valueName: "dir"))
    var sweeps = "Configs/sweeps/paper"

    @Option(help: ArgumentHelp("The claims catalog (default: claims.yaml in the sweeps folder).", valueName: "file"))
    var claims: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Points simulated at once, 1 to \(JobCount.maximum) (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Flag(help: "No progress bars.")
    var quiet = false

    func validate() throws {
        try JobCount.check(jobs)
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let failed = try InputFailure.guarding { () throws -> Int in
            let catalog = try ClaimsCatalog.load(path: claims ?? sweeps + "/claims.yaml")
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw StoreError(file: out, "cannot create the output folder (is a parent folder read-only, or a file of that name there?)")
            }
            let db = out + "/paper.sqlite"
            let store = try ResultStore.openForWriting(path: db)
            var failed = 0, simulated = 0
            for file in try Self.sweepFiles(in: sweeps) {
                let spec = try SweepSpec.load(path: file)
                if !quiet { InputFailure.printError("\(spec.name) (\(file))") }
                let runner = SweepRunner(spec: spec, store: store, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, version: GraceSimVersion.current)
                let bar = ProgressBar(enabled: !quiet)
                let summary = try runner.run(progress: bar.update)
                bar.finish()
                failed += summary.failed
                simulated += summary.finished + summary.failed
                if !quiet {
                    InputFailure.printError(String(format: "  %d points: %d run, %d failed, %d already finished; %.1f s",
                                                   summary.points, summary.finished, summary.failed, summary.skipped,
                                                   summary.wallSeconds))
                }
            }
            let report = try PaperReport(catalog: catalog, store: store)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let readme = report.markdown(generatedBy: "gracesim reproduce --out \(out)", wallSeconds: wall, runsSimulated: simulated)
            do {
                try OutputFile.write(Data(readme.utf8), to: out + "/README.md")
            } catch let failure as OutputFile.Failure {
                throw StoreError(file: out, "cannot write README.md in the output folder: \(failure.reason)")
            }
            try store.close()
            try Self.writeFigures(db: db, out: out)
            return failed
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print(String(format: "reproduced the paper's sweeps into %@/paper.sqlite and %@/README.md in %.1f s of wall time", out, out, wall))
        if failed > 0 {
            InputFailure.printError("\(failed) runs failed; they are stored with their error, and a rerun tries them again")
            throw ExitCode(1)
        }
    }

    /// The sweep files of `folder`, sorted: every `.yaml` but the claims catalog (sub-folders such as pending/ are
    /// not read).
    static func sweepFiles(in folder: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw StoreError(file: folder, "no such folder of sweep files")
        }
        let files = names.filter { $0.hasSuffix(".yaml") && $0 != "claims.yaml" }.sorted().map { folder + "/" + $0 }
        guard !files.isEmpty else { throw StoreError(file: folder, "no sweep files (*.yaml) in this folder") }
        return files
    }

    /// The figures and the HTML report of the paper's results (what `gracesim report` writes), beside README.md.
    static func writeFigures(db: String, out: String) throws {
        let store = try ResultStore.openForReading(path: db)
        do {
            let summary = try ReportWriter.write(store: store, to: URL(fileURLWithPath: out), baseline: "recompute")
            print("wrote \(summary.figures.count) figures and \(summary.index.path)")
        } catch let error as CocoaError {
            throw StoreError(file: out, "cannot write the report: \(error.localizedDescription)")
        }
    }
}
