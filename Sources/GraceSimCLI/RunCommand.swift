import ArgumentParser
import Foundation
import GraceSim

/// `gracesim run`: simulate one experiment and print its metrics.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate one experiment and print TTFT, TPOT, ITL, E2EL, throughput and memory metrics.",
        discussion: "Example: gracesim run Configs/experiments/default.yaml --set workload.arrivals.rate=4 --seed 7"
    )

    @OptionGroup var options: ExperimentOptions

    @Flag(help: "Print the metrics as JSON instead of a table.")
    var json = false

    @Option(name: .customLong("requests-csv"), help: ArgumentHelp("Also write one CSV row per request (times, tokens, preemptions, longest token gap, TPOT).", valueName: "file"))
    var requestsCSV: String?

    func run() throws {
        let experiment = try options.load()
        let simulator = try InputFailure.guarding { try Simulator(experiment: experiment) }
        let progress = try RunProgress(experiment: experiment)
        let started = Date()
        let report = progress.run(simulator)
        let wall = Date().timeIntervalSince(started)
        if let requestsCSV {
            try InputFailure.guarding { try RequestsCSV.write(simulator, to: requestsCSV) }
        }
        if json {
            print(try ReportJSON.encode(report))
        } else {
            print(SummaryTable.render(report), terminator: "")
        }
        if !simulator.invariantViolations.isEmpty {
            InputFailure.printError("invariant violations:\n" + simulator.invariantViolations.prefix(20).map(\.description).joined(separator: "\n"))
            throw ExitCode(3)
        }
        InputFailure.printError(String(format: "simulated %.1f s in %.2f s wall time", report.simulatedSeconds, wall))
    }
}

/// Encodes reports as stable, sorted JSON.
enum ReportJSON {
    static func encode(_ report: RunReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
