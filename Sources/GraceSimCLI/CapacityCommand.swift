import ArgumentParser
import Foundation
import GraceSim
import GraceSimStore
import GraceSimSweeps

/// `gracesim capacity`: the highest load at which every service-level objective holds.
struct CapacityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Find the highest arrival rate (or rate scale, or number of clients) at which every SLO holds.",
        discussion: """
            Varies workload.arrivals.rate (Poisson, Gamma), workload.arrivals.rate_scale (trace replay) or \
            workload.arrivals.clients (closed loop), or session_rate or users (sessions): starts from the experiment's value, doubles or halves until the \
            SLOs change from pass to fail, then bisects to the tolerance. Prints the capacity, the goodput there \
            (finished requests per second, all meeting the SLOs), its main metrics and every point tried.
            Example: gracesim capacity Configs/experiments/default.yaml --slo ttft_p99_ms=500,itl_p99_ms=100
            """
    )

    @OptionGroup var options: ExperimentOptions

    @Option(help: ArgumentHelp("Objectives, each a stored metric and its bound; _ms metrics must be at most the bound, _per_s at least.",
                               valueName: "metric=bound,..."))
    var slo: String

    @Option(help: "The scope whose metrics the SLOs read: overall or an instance's name.")
    var scope = "overall"

    @Option(help: "Stop when the highest pass and the lowest fail are this close, relative (2% or 0.02).")
    var tolerance = "2%"

    @Option(name: .customLong("max-steps"), help: "Most doublings or halvings while bracketing the capacity.")
    var maxSteps = 12

    @Option(name: .customLong("max-extension"),
            help: "Longest run of a point while it seeks a steady state, as a multiple of the experiment's requests (1: never extend).")
    var maxExtension = ExperimentCapacity.defaultMaxExtension

    @Flag(help: "Print the result as JSON instead of text.")
    var json = false

    func validate() throws {
        guard maxSteps >= 1, maxSteps <= 60 else { throw ValidationError("--max-steps: expected 1 to 60, found \(maxSteps)") }
        guard maxExtension >= 1, maxExtension <= 1024 else {
            throw ValidationError("--max-extension: expected 1 to 1024, found \(maxExtension)")
        }
    }

    func run() throws {
        let started = Date()
        let progress = PointProgress(started: started, delay: try InputFailure.guarding { try RunProgress.delaySeconds() })
        let result = try InputFailure.guarding { () throws -> ExperimentCapacity.Result in
            let search = ExperimentCapacity(path: options.experiment, overrides: try options.configOverrides(),
                                            objectives: try MetricBound.parseList(slo), scope: scope,
                                            tolerance: try ExperimentCapacity.parseTolerance(tolerance), maxBracketSteps: maxSteps,
                                            maxExtension: maxExtension)
            return try search.run(progress: progress.update)
        }
        progress.finish()
        print(json ? try CapacityReport.json(result) : CapacityReport.text(result), terminator: json ? "\n" : "")
        InputFailure.printError(String(format: "%d points in %.2f s wall time", result.tried.count, Date().timeIntervalSince(started)))
    }
}

/// A progress line on standard error for a capacity search, drawn only when standard error is a terminal and
/// once the search has taken ``RunProgress/delaySeconds()``: points tried, the last load and its verdict, time
/// spent. Erased when the search ends.
final class PointProgress {
    private let started: Date
    private let delay: Double
    private let terminal = isatty(STDERR_FILENO) != 0
    private var tried = 0
    private var drawn = false

    init(started: Date, delay: Double) {
        self.started = started
        self.delay = delay
    }

    func update(_ point: CapacitySearch.Point) {
        tried += 1
        let elapsed = Date().timeIntervalSince(started)
        guard terminal, elapsed >= delay else { return }
        FileHandleWriter.writeToStandardError("\r\u{1B}[K\(tried) points tried, last \(String(format: "%g", point.value)) "
            + "\(point.passed ? "pass" : "fail")  \(ProgressBar.duration(elapsed)) elapsed")
        drawn = true
    }

    func finish() {
        if drawn { FileHandleWriter.writeToStandardError("\r\u{1B}[K"); drawn = false }
    }
}
