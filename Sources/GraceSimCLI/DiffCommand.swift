import ArgumentParser
import GraceSimStore

/// `gracesim diff`: which metrics moved between two results databases; exit 1 on a regression.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two results databases run by run (matched by config hash) and list the metrics that moved.",
        discussion: """
            Exit status: 0 when nothing moved in the bad direction, 1 when a latency (*_ms) rose, a throughput \
            (*_per_s) fell beyond the tolerance, or a run that finished in OLD failed in NEW; 2 on bad input. \
            Other metrics (counts, fractions) are listed but never fail. \
            Example: gracesim diff Results/regression/baseline.sqlite new.sqlite --tolerance 2%
            """
    )

    @Argument(help: "The reference database.")
    var old: String

    @Argument(help: "The database to check.")
    var new: String

    @Option(help: ArgumentHelp("Relative change ignored: 2% or 0.02.", valueName: "fraction"))
    var tolerance = "2%"

    @Option(name: .customLong("metrics"), parsing: .upToNextOption,
            help: ArgumentHelp("Metrics to compare (a trailing * matches a prefix, e.g. tbt_*); default all.", valueName: "name"))
    var metrics: [String] = []

    func run() throws {
        guard let fraction = Self.parseTolerance(tolerance) else {
            throw ValidationError("--tolerance: expected a percentage such as 2% or a fraction such as 0.02, found \"\(tolerance)\"")
        }
        let diff = try InputFailure.guarding {
            let oldRuns = try ResultStore.openForReading(path: old).runs()
            let newRuns = try ResultStore.openForReading(path: new).runs()
            return ResultDiff(old: oldRuns, new: newRuns, tolerance: fraction, metrics: metrics)
        }
        for line in diff.report() { print(line) }
        let regressions = diff.movements.filter(\.isRegression).count + diff.newlyFailed.count
        print("\(diff.matched) runs compared, \(diff.movements.count) metrics moved beyond \(tolerance), \(regressions) regressions, \(diff.missing.count) runs missing")
        if diff.hasRegression { throw ExitCode(1) }
    }

    static func parseTolerance(_ text: String) -> Double? {
        let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let value, value >= 0, value.isFinite else { return nil }
        return value
    }
}
