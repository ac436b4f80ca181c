import ArgumentParser
import GraceSimStore

/// `gracesim diff`: which metrics moved between two results databases; exit 1 on a regression.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two results databases run by run (matched by config hash, or by axis values) and list the metrics that moved.",
        discussion: """
            --match config (the default) pairs runs of the same experiment: a regression check of the code. \
            --match axes pairs runs by their sweep point (axis values) and seed, whatever else their configs hold: \
            an A/B of a policy change made in the config (the sweep name counts only when a database holds several \
            sweeps); the keys the configs differ in are listed first. \
            Exit status: 0 when nothing moved in the bad direction, 1 when a latency (*_ms) rose, a throughput \
            (*_per_s) fell beyond the tolerance, a run that finished in OLD failed in NEW, or a run is missing on \
            either side (a finished run of OLD not in NEW, or a run of NEW not in OLD) without --allow-missing; \
            2 on bad input. \
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

    @Flag(help: "Runs missing on either side are expected (e.g. NEW is part of a grid): list them but exit 0 for them.")
    var allowMissing = false

    @Option(help: ArgumentHelp("How runs are paired: config (the same config hash) or axes (the same axis values and seed).",
                               valueName: "config|axes"))
    var match: ResultDiff.Match = .config

    func run() throws {
        guard let fraction = Self.parseTolerance(tolerance) else {
            throw ValidationError("--tolerance: expected a percentage such as 2% or a fraction such as 0.02, found \"\(tolerance)\"")
        }
        let diff = try InputFailure.guarding {
            let oldRuns = try ResultStore.openForReading(path: old).runs()
            let newRuns = try ResultStore.openForReading(path: new).runs()
            let unmatched = ResultDiff.unmatched(metrics, in: oldRuns + newRuns)
            if !unmatched.isEmpty {
                throw InputFailure.flag("--metrics", "\(unmatched.map { "\"\(InputFailure.capped($0))\"" }.joined(separator: ", ")) "
                    + "\(unmatched.count == 1 ? "matches" : "match") no stored metric (names as in `gracesim compare --help`; a trailing * matches a prefix)")
            }
            return ResultDiff(old: oldRuns, new: newRuns, tolerance: fraction, metrics: metrics, match: match)
        }
        for line in diff.report() { print(line) }
        let regressions = diff.movements.filter(\.isRegression).count + diff.newlyFailed.count
        print("\(diff.matched) runs compared, \(diff.movements.count) metrics moved beyond \(tolerance), \(regressions) regressions, \(diff.missing.count) runs missing, \(diff.onlyInNew.count) only in NEW")
        if diff.hasMissingRuns && !allowMissing {
            InputFailure.printError("the databases do not hold the same runs (\(diff.missing.count) missing from NEW, \(diff.onlyInNew.count) only in NEW); pass --allow-missing when that is expected")
        }
        if diff.hasRegression || (diff.hasMissingRuns && !allowMissing) { throw ExitCode(1) }
    }

    static func parseTolerance(_ text: String) -> Double? {
        let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let value, value >= 0, value.isFinite else { return nil }
        return value
    }
}

extension ResultDiff.Match: ExpressibleByArgument {}
