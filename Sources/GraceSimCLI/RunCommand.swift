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

    @Flag(help: "Print the metrics as JSON instead of a table (the same as --format json).")
    var json = false

    /// What `run` prints.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, vllm
        case vllmLegacy = "vllm-legacy"
    }

    @Option(help: ArgumentHelp("""
        table, json, vllm: the "Serving Benchmark Result" block of vLLM's `vllm bench serve` (with several \
        instances, one block per instance, each after an "Instance: NAME" line, then one for all of them after \
        "Instance: overall"), or vllm-legacy: the block of the earlier benchmark_serving.py.
        """, valueName: "format"))
    var format: Format?

    @Option(name: .customLong("save-result"), help: ArgumentHelp("""
        Also write the run over all instances as vLLM's `vllm bench serve --save-result` JSON (with the per-request \
        input_lens, output_lens, ttfts and itls of --save-detailed, and the experiment and arrival times under \
        "gracesim"); gracesim replay reads it back and replays the same arrivals.
        """, valueName: "file"))
    var saveResult: String?

    @Option(name: .customLong("requests-csv"), help: ArgumentHelp("Also write one CSV row per request (times, tokens, preemptions, longest token gap, TPOT).", valueName: "file"))
    var requestsCSV: String?

    func run() throws {
        if json, let format, format != .json {
            try InputFailure.guarding { () throws in
                throw InputFailure.flag("--format", "\(format.rawValue) conflicts with --json; give one of them")
            }
        }
        let format = format ?? (json ? .json : .table)
        let experiment = try options.load()
        let simulator = try InputFailure.guarding { try Simulator(experiment: experiment) }
        let progress = try RunProgress(experiment: experiment)
        let vllmBlock = format == .vllm || format == .vllmLegacy
        if vllmBlock || saveResult != nil { simulator.recordTokenGaps() }
        let started = Date()
        let report = progress.run(simulator)
        let wall = Date().timeIntervalSince(started)
        try InputFailure.guarding { try simulator.checkHalt() }
        if let requestsCSV {
            try InputFailure.guarding { try RequestsCSV.write(simulator, to: requestsCSV) }
        }
        let benchmark = vllmBlock || saveResult != nil ? simulator.benchmarkResults(report) : []
        let traffic = simulator.benchmarkTraffic()
        if let saveResult {
            let text = benchmark.last!.result.json(modelId: simulator.benchmarkModelId, traffic: traffic, setup: simulator.benchmarkSetup())
            try InputFailure.guarding { () throws in
                do { try OutputFile.write(Data(text.utf8), to: saveResult) } catch let failure as OutputFile.Failure {
                    throw InputFailure.flag("--save-result", "cannot write \"\(InputFailure.capped(saveResult))\": \(failure.reason)")
                }
            }
        }
        switch format {
        case .json:
            print(try ReportJSON.encode(report))
        case .table:
            print(SummaryTable.render(report), terminator: "")
        case .vllm, .vllmLegacy:
            let block = { (result: VLLMBenchmarkResult) in format == .vllm ? result.text(traffic: traffic) : result.legacyText() }
            if experiment.instances.count == 1 {
                print(block(benchmark[0].result), terminator: "")
            } else {
                for scope in benchmark { print("Instance: \(scope.name)\n" + block(scope.result), terminator: "") }
            }
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
