import ArgumentParser
import Foundation
import GraceSim

/// `gracesim bench`: how fast the simulator runs the reference scenario (build with `-c release`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the simulator on a benchmark experiment and print wall time, simulated requests and iterations per wall-second, and peak memory.",
        discussion: "The default is the reference scenario: Llama-2-7B on x86-h100-sxm-pcie5, vLLM with 128 sequences and 4096 batched tokens, Poisson arrivals at 8 requests/s, Azure conversation lengths, 10,000 requests."
    )

    @Argument(help: "The benchmark experiment.")
    var experiment = "Configs/experiments/bench-reference.yaml"

    @Option(help: "Requests to simulate (sets workload.max_requests; default: as the experiment says).")
    var requests: Int?

    @Option(help: "Runs; the median is reported.")
    var runs = 5

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key of the experiment file.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Memory strategy (overrides the experiment's; --set strategy.KEY=VALUE sets its options).")
    var strategy: String?

    func validate() throws {
        if let requests, requests <= 0 { throw ValidationError("--requests must be positive") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() throws {
        let loaded = try InputFailure.guarding {
            var all = try overrides.map(ConfigOverride.init(parsing:))
            if let strategy { all = try ConfigOverride.layering(strategy: strategy, under: all) }
            if let requests { all.append(try ConfigOverride(parsing: "workload.max_requests=\(requests)")) }
            return try Experiment.load(path: experiment, overrides: all)
        }
        var walls: [Double] = []
        var iterations = 0
        var simulated = 0.0
        var finished = 0
        var arrived = 0
        for run in 1...runs {
            let simulator = try InputFailure.guarding { try Simulator(experiment: loaded) }
            let start = DispatchTime.now().uptimeNanoseconds
            let report = simulator.run()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try InputFailure.guarding { try simulator.checkHalt() }
            walls.append(wall)
            iterations = report.overall.iterations
            arrived = report.overall.requests.arrived
            simulated = report.simulatedSeconds
            finished = report.overall.requests.finished
            InputFailure.printError(String(format: "run %d: %.3f s", run, wall))
        }
        let median = walls.sorted()[walls.count / 2]
        print("benchmark: \(loaded.name), strategy \(loaded.strategy.kind.rawValue) (\(arrived) requests, \(runs) runs, median)")
        let rows = [
            ("wall time", String(format: "%.3f s", median)),
            ("simulated", String(format: "%.1f s, %d requests finished, %d iterations", simulated, finished, iterations)),
            ("requests per wall-second", String(format: "%.0f", Double(arrived) / median)),
            ("iterations per wall-second", String(format: "%.0f", Double(iterations) / median)),
            ("peak memory", String(format: "%.1f MiB", Double(PeakMemory.residentBytes()) / 1_048_576)),
        ]
        print(Self.aligned(rows), terminator: "")
    }

    /// `rows` as indented lines, the values starting in one column.
    static func aligned(_ rows: [(label: String, value: String)]) -> String {
        let width = rows.map(\.label.count).max() ?? 0
        return rows.map { "  " + $0.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.value + "\n" }.joined()
    }
}

/// The process's peak resident set size.
enum PeakMemory {
    static func residentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }
}
